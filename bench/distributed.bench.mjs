// The distributed runner (SPEC §10) on Redis and on PostgreSQL:
// 1. jobs per second of a no-op task through `runner worker` against a bare BullMQ Worker with an
//    empty processor, same server, same run (one process each, one task queue, global concurrency
//    1 as the runner sets it); the ratio is the figure (the bar: at least 0.8). A third worker,
//    bare BullMQ plus the I/O every run owes (its record appended to a local file and to the shared
//    history), shows how much of the difference that I/O is and how much the runner's own work.
//    The CPU time each side spent per job (the worker process, the server's processes) is printed
//    too: on a shared machine it varies less than the rate does;
// 2. the scale run: N worker processes, J jobs over T tasks: throughput, p95 wait from enqueue to
//    start, and the count of runs lost and doubled (from the workers' run records).
// Sizes: BENCH_QUEUE_BACKENDS (redis,postgres), BENCH_QUEUE_RATE_JOBS (10000), BENCH_QUEUE_ROUNDS (3),
// BENCH_QUEUE_JOBS (20000), BENCH_QUEUE_TASKS (50), BENCH_QUEUE_PROCS (10).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, ROOT, median, printTable } from './lib.mjs';
import { cpuMicros, openBench, URLS } from './distributed-lib.mjs';

if (!existsSync(CLI)) {
  console.error('dist/cli.js is missing: run `npm run build` first');
  process.exit(1);
}

const env = process.env;
const BACKENDS = (env.BENCH_QUEUE_BACKENDS ?? 'redis,postgres').split(',');
// 10,000 jobs a drain: a worker's rate once its code is compiled (the first few thousand jobs of a
// new process run slower, the runner's more so, having more code to warm up).
const RATE_JOBS = Number(env.BENCH_QUEUE_RATE_JOBS ?? 10000);
const ROUNDS = Number(env.BENCH_QUEUE_ROUNDS ?? 3);
const SCALE_JOBS = Number(env.BENCH_QUEUE_JOBS ?? 20000);
const SCALE_TASKS = Number(env.BENCH_QUEUE_TASKS ?? 50);
const SCALE_PROCS = Number(env.BENCH_QUEUE_PROCS ?? 10);

const taskName = (i) => `b${String(i).padStart(2, '0')}`;

function makeHome(kind, prefix, tasks) {
  const home = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-queue-'));
  const workspace = path.join(home, 'workspace');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(path.join(home, 'tasks'));
  const classes = tasks.map(
    (name, i) => `export class T${i} extends Task { name = '${name}'; description = 'no-op'; async run(ctx) { return { success: true, message: ctx.args[0] ?? '' }; } }`,
  );
  writeFileSync(path.join(home, 'tasks', 'bench.ts'), `import { Task } from 'taskrunner';\n${classes.join('\n')}\n`, { mode: 0o644 });
  writeFileSync(path.join(home, 'runner.config.json'), JSON.stringify({ workspace, queue: { url: URLS[kind], prefix } }), { mode: 0o644 });
  return home;
}

function startProcess(args) {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], env: { ...env, NO_COLOR: '1' } });
  let seen = '';
  const ready = new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      seen += chunk;
      if (seen.includes('worker ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}:\n${seen}`)));
  });
  return { child, ready, output: () => seen };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function addJobs(queue, name, data) {
  for (let i = 0; i < data.length; i += 1000) {
    await queue.addBulk(data.slice(i, i + 1000).map((d) => ({ name, data: d, opts: { removeOnComplete: false } })));
  }
}

async function drained(queues) {
  for (;;) {
    let left = 0;
    for (const queue of queues) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      left += counts.waiting + counts.active + counts.delayed + counts.prioritized;
    }
    if (left === 0) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// One timed drain of RATE_JOBS pre-added no-op jobs by one worker process.
async function rateOnce(kind, which) {
  const prefix = `bench_${which}_${process.pid}_${Date.now()}`;
  const bench = await openBench(kind, prefix);
  const name = which === 'runner' ? 'task-b00' : `bare-${which}`;
  const queue = bench.queue(name);
  try {
    await addJobs(queue, which === 'runner' ? 'b00' : 'noop', Array.from({ length: RATE_JOBS }, (_, i) => (which === 'runner' ? { task: 'b00', args: [`j${i}`] } : { i })));
    const proc =
      which === 'runner'
        ? startProcess([CLI, 'worker', '--home', makeHome(kind, prefix, ['b00']), '--tasks', 'b00', '--concurrency', '1'])
        : startProcess([path.join(ROOT, 'bench', 'distributed-bare-worker.mjs'), kind, prefix, name, which === 'bare' ? 'empty' : 'io']);
    await proc.ready;
    const serverPids = await bench.serverPids();
    const before = { worker: cpuMicros([proc.child.pid]), server: cpuMicros(serverPids) };
    const started = performance.now();
    const ended = await drained([queue]);
    // A PostgreSQL connection opened during the drain has a server process of its own: all of its time counts.
    const laterPids = (await bench.serverPids()).filter((pid) => !serverPids.includes(pid));
    const after = { worker: cpuMicros([proc.child.pid]), server: cpuMicros(serverPids) + (cpuMicros(laterPids) ?? 0) };
    await stop(proc.child);
    const perJob = (side) => (before[side] === undefined || after[side] === undefined ? NaN : (after[side] - before[side]) / RATE_JOBS);
    return { rate: RATE_JOBS / ((ended - started) / 1000), workerCpu: perJob('worker'), serverCpu: perJob('server') };
  } finally {
    await queue.close();
    await bench.drop();
    await bench.close();
  }
}

async function scale(kind) {
  const prefix = `bench_scale_${process.pid}_${Date.now()}`;
  const bench = await openBench(kind, prefix);
  const tasks = Array.from({ length: SCALE_TASKS }, (_, i) => taskName(i));
  const homes = Array.from({ length: SCALE_PROCS }, () => makeHome(kind, prefix, tasks));
  const procs = homes.map((home) => startProcess([CLI, 'worker', '--home', home]));
  const queues = tasks.map((name) => bench.queue(`task-${name}`));
  try {
    await Promise.all(procs.map((proc) => proc.ready));
    const clients = await bench.clients();
    const started = performance.now();
    for (let t = 0; t < tasks.length; t++) {
      const count = Math.floor(SCALE_JOBS / tasks.length) + (t < SCALE_JOBS % tasks.length ? 1 : 0);
      await addJobs(queues[t], tasks[t], Array.from({ length: count }, (_, i) => ({ task: tasks[t], args: [`${tasks[t]}-${i}`] })));
    }
    const ended = await drained(queues);
    for (const proc of procs) await stop(proc.child);
    const waits = [];
    for (const queue of queues) {
      for (const job of await queue.getJobs(['completed'], 0, -1)) waits.push(job.processedOn - job.timestamp);
    }
    waits.sort((a, b) => a - b);
    const messages = homes.flatMap((home) => {
      const file = path.join(home, 'logs', 'tasks.jsonl');
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line)).filter((r) => r.success).map((r) => r.message);
    });
    const unique = new Set(messages).size;
    return {
      throughput: SCALE_JOBS / ((ended - started) / 1000),
      p95: waits[Math.floor(waits.length * 0.95)] ?? NaN,
      runs: messages.length,
      lost: SCALE_JOBS - unique,
      doubled: messages.length - unique,
      clients,
    };
  } finally {
    for (const proc of procs) await stop(proc.child);
    for (const queue of queues) await queue.close();
    await bench.drop();
    await bench.close();
  }
}

const rateRows = [];
const cpuRows = [];
const scaleRows = [];
for (const kind of BACKENDS) {
  const bare = [];
  const withIo = [];
  const runner = [];
  for (let round = 0; round < ROUNDS; round++) {
    bare.push(await rateOnce(kind, 'bare'));
    withIo.push(await rateOnce(kind, 'io'));
    runner.push(await rateOnce(kind, 'runner'));
  }
  const rate = (runs) => median(runs.map((run) => run.rate));
  rateRows.push([kind, rate(bare), rate(withIo), rate(runner), rate(runner) / rate(bare), rate(runner) / rate(withIo)]);
  for (const [which, runs] of [['bare BullMQ', bare], ['bare + run I/O', withIo], ['runner worker', runner]]) {
    const worker = median(runs.map((run) => run.workerCpu));
    const server = median(runs.map((run) => run.serverCpu));
    cpuRows.push([kind, which, worker, server, worker + server, 1e6 / rate(runs)]);
  }
  if (SCALE_JOBS > 0) {
    const result = await scale(kind);
    scaleRows.push([kind, SCALE_PROCS, SCALE_JOBS, SCALE_TASKS, result.throughput, result.p95, result.runs, result.lost, result.doubled, result.clients]);
  }
}
printTable(
  `No-op task, ${RATE_JOBS} jobs, one process, one task queue (median of ${ROUNDS}): jobs/s`,
  ['backend', 'bare BullMQ', 'bare + run I/O', 'runner worker', 'ratio', 'ratio to bare + I/O'],
  rateRows.map((row) => row.map((cell, i) => (i >= 4 ? cell.toFixed(2) : cell))),
  0,
);
for (const row of rateRows) if (row[4] < 0.8) console.log(`${row[0]}: the runner keeps ${(row[4] * 100).toFixed(0)} % of bare BullMQ's rate (bar: 80 %)`);
printTable(
  'The same drains: CPU per job (µs, median; from /proc, NaN elsewhere), and wall time per job',
  ['backend', 'worker', 'worker CPU', 'server CPU', 'both', 'wall'],
  cpuRows,
  0,
);
if (scaleRows.length > 0) {
  printTable(
    'Scale run: worker processes, jobs over tasks',
    ['backend', 'procs', 'jobs', 'tasks', 'jobs/s', 'p95 wait ms', 'runs', 'lost', 'doubled', 'server conns'],
    scaleRows,
    0,
  );
}
