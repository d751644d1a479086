// The runner's own work per worker job, in process: what the worker's processor does for a job
// (parse its arguments, runTask on a held lock with the worker's shutdown signal, its record
// appended to logs/tasks.jsonl) for a no-op task, against a bare loop that calls the task's run()
// and appends the same record line. No server is involved, so the CPU time per job is steady to a
// tenth of a microsecond where a drain through Redis moves by tens (distributed.bench.mjs): this is
// where a per-job optimisation shows what it is worth.
// Each case is a fresh process built with esbuild from a checkout's src/; the cases take turns.
// Sizes: BENCH_RUNTASK_JOBS (30000 a process, after as many to warm up), BENCH_RUNTASK_ROUNDS (11).
// BENCH_RUNTASK_SRC=label=/path/to/checkout,… measures other checkouts in the same rounds (one with
// an optimisation taken out, to measure what it is worth).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { ROOT, median, printTable } from './lib.mjs';

const JOBS = Number(process.env.BENCH_RUNTASK_JOBS ?? 30000);
const ROUNDS = Number(process.env.BENCH_RUNTASK_ROUNDS ?? 11);

// One process: warm up, then time JOBS jobs; prints the CPU microseconds per job.
const program = (body) => `
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
${body.imports}
const home = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-runtask-'));
mkdirSync(path.join(home, 'logs'));
${body.setup}
const jobs = Number(process.argv[2]);
const drain = async (offset) => {
  for (let i = 0; i < jobs; i++) await job(\`j\${offset + i}\`);
};
await drain(0);
const before = process.cpuUsage();
await drain(jobs);
const used = process.cpuUsage(before);
await done();
rmSync(home, { recursive: true, force: true });
console.log((used.user + used.system) / jobs);
`;

const RUNNER = {
  imports: `
import pino from 'pino';
import { runTask } from '@src/core/run-task.ts';
import { Task } from '@src/core/task.ts';
import { parseTaskArgs } from '@src/core/task-args.ts';
import { HeldTaskLocks } from '@src/distributed/held-task-locks.ts';`,
  setup: `
class Noop extends Task {
  name = 'b00';
  description = 'no-op';
  async run(ctx) { return { success: true, message: ctx.args[0] ?? '' }; }
}
const task = new Noop();
const settings = { config: {}, configFile: undefined, home, workspace: home };
// As a worker's: pino at info (a successful run logs nothing at that level), its one shutdown
// signal, the task's lock held across jobs (a checkout whose worker asks takeHeld first does so here).
const log = pino({ base: undefined, level: 'info' }, pino.destination({ dest: '/dev/null', sync: true }));
const shutdown = new AbortController();
const locks = new HeldTaskLocks({ home });
const done = () => locks.releaseAll();
const job = async (word) => {
  const args = parseTaskArgs(task, [word], { silent: true });
  const heldLock = locks.takeHeld?.('b00') ?? (await locks.take('b00'));
  let outcome;
  try {
    outcome = await runTask(task, { settings, args: args.args, options: args.options, retries: 0, scheduled: false, signal: shutdown.signal, log, heldLock, moreAttempts: false });
  } finally {
    locks.runEnded('b00', outcome?.lockReleased ?? Promise.resolve());
  }
  if (outcome.status !== 'success') throw new Error(outcome.status);
};`,
};

// The same task's run() and the same record line (keys and values as the runner writes them), appended to a descriptor kept open.
const BARE = {
  imports: `import { openSync, writeSync } from 'node:fs';
import { randomUUID } from 'node:crypto';`,
  setup: `
const fd = openSync(path.join(home, 'logs', 'tasks.jsonl'), 'a');
const task = { async run(ctx) { return { success: true, message: ctx.args[0] ?? '' }; } };
const done = () => undefined;
const job = async (word) => {
  const started = process.hrtime.bigint();
  const result = await task.run({ args: [word] });
  const record = { task: 'b00', dry_run: false, timestamp: new Date().toISOString(), success: result.success, message: result.message, duration_seconds: Number(process.hrtime.bigint() - started) / 1e9, run_id: randomUUID(), attempts: 1 };
  writeSync(fd, JSON.stringify(record) + '\\n');
};`,
};

const checkouts = [
  { label: 'runTask', root: ROOT },
  ...(process.env.BENCH_RUNTASK_SRC ?? '')
    .split(',')
    .filter((item) => item !== '')
    .map((item) => {
      const [label, root] = item.split('=');
      if (!root) throw new Error(`BENCH_RUNTASK_SRC: ${item}: expected label=/path/to/checkout`);
      return { label, root: path.resolve(root) };
    }),
];

const out = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-runtask-build-'));
async function bundle(name, body, root) {
  const outfile = path.join(out, `${name}.mjs`);
  await build({
    stdin: { contents: program(body), resolveDir: root, loader: 'ts', sourcefile: `${name}.ts` },
    alias: { '@src': path.join(root, 'src') },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'warning',
    // Bundled CommonJS dependencies (pino) call require for Node's own modules.
    banner: { js: "import { createRequire as createRequireOfBundle } from 'node:module'; const require = createRequireOfBundle(import.meta.url);" },
  });
  return outfile;
}

try {
  const cases = [{ label: 'bare run() + record', file: await bundle('bare', BARE, ROOT) }];
  for (const [i, checkout] of checkouts.entries()) cases.push({ label: checkout.label, file: await bundle(`runner-${i}`, RUNNER, checkout.root) });
  const perJob = cases.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    cases.forEach((each, i) => {
      const result = spawnSync(process.execPath, [each.file, String(JOBS)], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`${each.label} exited ${result.status}: ${result.stderr}`);
      perJob[i].push(Number(result.stdout.trim()));
    });
  }
  const bare = median(perJob[0]);
  const runner = median(perJob[1]);
  printTable(
    `A worker job's runner work in process, no-op task, ${JOBS} jobs a process (median of ${ROUNDS} interleaved processes, Node ${process.versions.node}): CPU µs per job`,
    ['case', 'median', 'min', 'max', 'beyond bare', 'vs runTask'],
    cases.map((each, i) => {
      const mid = median(perJob[i]);
      return [each.label, mid, Math.min(...perJob[i]), Math.max(...perJob[i]), mid - bare, i === 0 ? '' : (mid - runner).toFixed(2)];
    }),
    2,
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
