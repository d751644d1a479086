// Batch queue: `runner batch 1000` over 1,000 planned tasks against an empty batch, and
// `runner batch add` against a bare `node -e 0`. Medians of several runs; run on its own with
// `node bench/batch.bench.mjs` after `npm run build`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI as cli, ROOT as root, median } from './lib.mjs';

if (!existsSync(cli)) {
  console.error('dist/cli.js is missing: run `npm run build` first');
  process.exit(1);
}

const TASKS = 1000;
const BATCH_RUNS = Number(process.env.BENCH_BATCH_RUNS ?? 5);
const ADD_RUNS = Number(process.env.BENCH_ADD_RUNS ?? 15);

function freshHome() {
  const home = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-batch-'));
  const workspace = path.join(home, 'workspace');
  mkdirSync(workspace, { recursive: true });
  return { home, workspace };
}

function queueOf(n) {
  return Array.from({ length: n }, (_, i) => ({
    task: `Planned task ${i}`,
    result: `Result ${i}`,
    insight: 'Batch execution = velocity multiplier',
    next_step: 'Continue',
    status: 'pending',
    added: '2026-02-03T17:35:00.000000',
  }));
}

function timed(args) {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function batchRun(n) {
  const { home, workspace } = freshHome();
  writeFileSync(path.join(workspace, 'batch-tasks.json'), JSON.stringify(queueOf(n), null, 2));
  writeFileSync(path.join(workspace, 'diary.md'), '# Diary\n\n### 2026-02-03T17:35Z — Work Block 41 — Earlier\n');
  try {
    return timed([cli, 'batch', String(TASKS), '--quiet', '--home', home, '--workspace', workspace]);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

const empty = [];
const full = [];
for (let i = 0; i < BATCH_RUNS; i++) {
  empty.push(batchRun(0));
  full.push(batchRun(TASKS));
}

const { home, workspace } = freshHome();
const bare = [];
const add = [];
for (let i = 0; i < ADD_RUNS; i++) {
  bare.push(timed(['-e', '0']));
  add.push(timed([cli, 'batch', 'add', `Bench task ${i}`, 'result', '--home', home, '--workspace', workspace]));
}
rmSync(home, { recursive: true, force: true });

const emptyMs = median(empty);
const fullMs = median(full);
const perTaskMs = (fullMs - emptyMs) / TASKS;
const bareMs = median(bare);
const addMs = median(add);
const rows = [
  [`runner batch ${TASKS} (empty queue)`, `${emptyMs.toFixed(1)} ms`, 'baseline'],
  [`runner batch ${TASKS} (${TASKS} planned)`, `${fullMs.toFixed(1)} ms`, `${(fullMs / emptyMs).toFixed(2)}x`],
  ['  per task (over empty)', `${perTaskMs.toFixed(3)} ms`, `${(1000 / perTaskMs).toFixed(0)} tasks/s marginal`],
  ['  end to end', `${(TASKS / (fullMs / 1000)).toFixed(0)} tasks/s`, ''],
  ['node -e 0', `${bareMs.toFixed(1)} ms`, 'baseline'],
  ['runner batch add', `${addMs.toFixed(1)} ms`, `${(addMs / bareMs).toFixed(2)}x (+${(addMs - bareMs).toFixed(1)} ms)`],
];
console.log(`batch queue (medians: ${BATCH_RUNS} batch runs, ${ADD_RUNS} adds)`);
const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)));
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  ').trimEnd());
