// `runner status` and `runner logs` on a 1,000,000-line run log (ten tasks, some failures, a few
// corrupt lines; see history-log.mjs) against a bare `node -e 0`, as whole processes: median wall
// time of interleaved runs and peak RSS. Run on its own with `node bench/history.bench.mjs` after
// `npm run build`; HISTORY_BENCH_LINES and HISTORY_BENCH_RUNS change the size and the run count.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeRunLog } from './history-log.mjs';
import { CLI, median, printTable } from './lib.mjs';

const LINES = Number(process.env.HISTORY_BENCH_LINES ?? 1_000_000);
const RUNS = Number(process.env.HISTORY_BENCH_RUNS ?? 9);
const peakPreload = fileURLToPath(new URL('./report-peak-rss.mjs', import.meta.url));

if (!existsSync(CLI)) {
  console.error('dist/cli.js is missing: run `npm run build` first');
  process.exit(1);
}

const home = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-history-'));
const workspace = path.join(home, 'workspace');
mkdirSync(workspace);
const env = { ...process.env, RUNNER_HOME: '', OPENCLAW_WORKSPACE: '', NO_COLOR: '1' };
const peakFile = path.join(home, 'peak-rss');

/** One run: wall time (ms) and peak RSS (MiB); a failing run aborts the benchmark. */
function runOnce(args) {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--import', peakPreload, ...args], {
    env: { ...env, PEAK_RSS_FILE: peakFile },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const wall = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { wall, peakMiB: Number(readFileSync(peakFile, 'utf8')) / 1024 };
}

try {
  const generated = performance.now();
  writeRunLog(home, LINES);
  console.log(`wrote ${LINES} lines in ${((performance.now() - generated) / 1000).toFixed(1)} s`);
  const where = ['--home', home, '--workspace', workspace];
  const cases = [
    ['node -e 0 (baseline)', ['-e', '0']],
    ['runner status (whole log read)', [CLI, 'status', ...where]],
    ['runner status --json', [CLI, 'status', '--json', ...where]],
    ['runner logs --task heartbeat --limit 20', [CLI, 'logs', '--task', 'heartbeat', '--limit', '20', ...where]],
    ['runner logs --task index_rebuild --limit 20 (rarest)', [CLI, 'logs', '--task', 'index_rebuild', '--limit', '20', ...where]],
    ['runner logs --failed --since 2h --json', [CLI, 'logs', '--failed', '--since', '2h', '--json', ...where]],
    ['runner logs --task nosuch (reads it all)', [CLI, 'logs', '--task', 'nosuch', ...where]],
  ];
  for (const [, args] of cases) runOnce(args); // warm-up: page cache, V8 code cache
  // Rounds interleave the cases, so a machine that gets busier mid-run skews none of them alone.
  const walls = cases.map(() => []);
  const peaks = cases.map(() => []);
  for (let round = 0; round < RUNS; round++) {
    cases.forEach(([, args], i) => {
      const { wall, peakMiB } = runOnce(args);
      walls[i].push(wall);
      peaks[i].push(peakMiB);
    });
  }
  const medians = walls.map(median);
  const peakMedians = peaks.map(median);
  printTable(
    `history on a ${LINES}-line log (${(LINES / 1e6).toFixed(1)}M), median of ${RUNS} interleaved runs`,
    ['case', 'ms', 'vs node -e 0', 'peak RSS MiB', 'vs node -e 0'],
    cases.map(([label], i) => [label, medians[i], medians[i] / medians[0], peakMedians[i], peakMedians[i] / peakMedians[0]]),
    2,
  );
} finally {
  rmSync(home, { recursive: true, force: true });
}
