// The distributed runner (SPEC §10) on Redis and on PostgreSQL:
// 1. jobs per second of a no-op task through `runner worker` against a bare BullMQ worker that
//    writes the same two records a run owes (its line in a local logs/tasks.jsonl and its entry in
//    the shared history, sent as the runner sends them: see distributed-bare-worker.mjs), same server, same run (one process each,
//    one task queue, global concurrency 1 as the runner sets it, the same jobs). The ratio is the
//    figure (the bar: at least 0.8): what the runner's own work per job (checking the job, the run's
//    machinery, its lock, its record) leaves of the rate. A bare worker with an empty processor is
//    shown beside them. The cases take turns within each round (in a new order each round); each
//    drain's counts are checked (every job a line in the local log and an entry in the
//    shared history, the same keys in both workers' records). The CPU time each side spent per job
//    (the worker process, the server's processes) is printed too: on a shared machine it varies less
//    than the rate does;
// 2. the scale run: N worker processes, J jobs over T tasks: throughput, p95 wait from enqueue to
//    start, and the count of runs lost and doubled (from the workers' run records).
// Sizes: BENCH_QUEUE_BACKENDS (redis,postgres), BENCH_QUEUE_RATE_JOBS (10000), BENCH_QUEUE_ROUNDS (3),
// BENCH_QUEUE_JOBS (20000), BENCH_QUEUE_TASKS (50), BENCH_QUEUE_PROCS (10).
// BENCH_QUEUE_CLIS=label=path/to/dist/cli.js,… measures other builds of the runner in the same
// rounds (a checkout with one optimisation taken out, to measure what it is worth);
// BENCH_QUEUE_JSON=file appends every drain's figures to the file, a line per backend.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

// The workers of the rate measurement: the two bare baselines, then each build of the runner.
const CASES = [
  { id: 'empty', label: 'bare BullMQ' },
  { id: 'records', label: 'bare + same records' },
  { id: 'runner', label: 'runner worker', cli: CLI },
  ...(env.BENCH_QUEUE_CLIS ?? '')
    .split(',')
    .filter((item) => item !== '')
    .map((item) => {
      const [label, cli] = item.split('=');
      if (!cli || !existsSync(cli)) throw new Error(`BENCH_QUEUE_CLIS: ${item}: expected label=path/to/dist/cli.js of a built checkout`);
      return { id: 'runner', label, cli };
    }),
];

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

// One timed drain of RATE_JOBS pre-added no-op jobs by one worker process (one of CASES).
async function rateOnce(kind, which) {
  const prefix = `bench_${which.id}_${process.pid}_${Date.now()}`;
  const bench = await openBench(kind, prefix);
  const queue = bench.queue('task-b00');
  const home = which.id === 'runner' ? makeHome(kind, prefix, ['b00']) : mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-queue-'));
  const logFile = path.join(home, 'logs', 'tasks.jsonl');
  try {
    // Every worker gets the same jobs: what `runner enqueue b00 j<i>` adds.
    await addJobs(queue, 'b00', Array.from({ length: RATE_JOBS }, (_, i) => ({ task: 'b00', args: [`j${i}`] })));
    const proc =
      which.id === 'runner'
        ? startProcess([which.cli, 'worker', '--home', home, '--tasks', 'b00', '--concurrency', '1'])
        : startProcess([path.join(ROOT, 'bench', 'distributed-bare-worker.mjs'), kind, prefix, 'task-b00', which.id, logFile]);
    await proc.ready;
    const started = performance.now();
    const before = { worker: cpuMicros([proc.child.pid]) };
    const serverPids = await bench.serverPids(proc.child.pid);
    before.server = cpuMicros(serverPids);
    const ended = await drained([queue]);
    // A PostgreSQL connection opened during the drain has a server process of its own: all of its time counts.
    const laterPids = (await bench.serverPids(proc.child.pid)).filter((pid) => !serverPids.includes(pid));
    const after = { worker: cpuMicros([proc.child.pid]), server: cpuMicros(serverPids) + (cpuMicros(laterPids) ?? 0) };
    await stop(proc.child);
    const perJob = (side) => (before[side] === undefined || after[side] === undefined ? NaN : (after[side] - before[side]) / RATE_JOBS);
    const keys = which.id === 'empty' ? undefined : await checkRecords(bench, logFile, `${which.label} on ${kind}`);
    return { rate: RATE_JOBS / ((ended - started) / 1000), workerCpu: perJob('worker'), serverCpu: perJob('server'), keys };
  } finally {
    await queue.close();
    await bench.drop();
    await bench.close();
    rmSync(home, { recursive: true, force: true });
  }
}

function shuffled(items) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

// Every job left one line in the local log and one entry in the shared history; returns the keys
// of the records, which must be the same for the bare worker and the runner.
async function checkRecords(bench, logFile, what) {
  const lines = existsSync(logFile) ? readFileSync(logFile, 'utf8').trim().split('\n') : [];
  const shared = await bench.historyLength();
  if (lines.length !== RATE_JOBS || shared !== RATE_JOBS) {
    throw new Error(`${what}: ${lines.length} local records and ${shared} shared ones for ${RATE_JOBS} jobs`);
  }
  return Object.keys(JSON.parse(lines[0])).join(',');
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
  const runs = CASES.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    // In a new order each round: no case keeps its place in the rounds while the machine's load changes.
    for (const c of shuffled(CASES.map((_, c) => c))) runs[c].push(await rateOnce(kind, CASES[c]));
  }
  if (env.BENCH_QUEUE_JSON) {
    appendFileSync(env.BENCH_QUEUE_JSON, `${JSON.stringify({ backend: kind, jobs: RATE_JOBS, cases: CASES.map((which) => which.label), runs })}\n`);
  }
  const keys = new Set(runs.slice(1).flat().map((run) => run.keys));
  if (keys.size !== 1) throw new Error(`${kind}: the workers' records differ in their keys: ${[...keys].join(' / ')}`);
  const rate = (of) => median(of.map((run) => run.rate));
  const [empty, records] = runs;
  CASES.forEach((which, c) => {
    if (which.id !== 'runner') return;
    // Each round's runner drain against the same round's bare one: the spread of the ratio.
    const perRound = runs[c].map((run, round) => run.rate / records[round].rate);
    const ratio = rate(runs[c]) / rate(records);
    rateRows.push([kind, which.label, rate(runs[c]), rate(records), ratio, `${Math.min(...perRound).toFixed(2)}-${Math.max(...perRound).toFixed(2)}`, rate(empty), rate(runs[c]) / rate(empty)]);
  });
  CASES.forEach((which, c) => {
    const worker = median(runs[c].map((run) => run.workerCpu));
    const server = median(runs[c].map((run) => run.serverCpu));
    cpuRows.push([kind, which.label, worker, server, worker + server, 1e6 / rate(runs[c])]);
  });
  if (SCALE_JOBS > 0) {
    const result = await scale(kind);
    scaleRows.push([kind, SCALE_PROCS, SCALE_JOBS, SCALE_TASKS, result.throughput, result.p95, result.runs, result.lost, result.doubled, result.clients]);
  }
}
printTable(
  `No-op task, ${RATE_JOBS} jobs a drain, one process, one task queue (median of ${ROUNDS} interleaved drains): jobs/s`,
  ['backend', 'worker', 'jobs/s', 'bare + same records', 'ratio', 'per round', 'bare BullMQ', 'ratio to bare'],
  rateRows.map((row) => row.map((cell, i) => (i === 4 || i === 7 ? cell.toFixed(2) : cell))),
  0,
);
for (const row of rateRows) {
  if (row[4] < 0.8) console.log(`${row[0]}: ${row[1]} keeps ${(row[4] * 100).toFixed(0)} % of the rate of a bare BullMQ worker writing the same records (bar: 80 %)`);
}
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
