// memory_consolidate and memory_capture end to end (the real CLI in a child process, so timings
// include start-up, parsing, the join and the atomic write, and peak RSS is the whole process),
// plus the greedy dedupe against the naive all-pairs loop it must agree with.
//   node bench/memory.bench.mjs            (after npm run build)
//   MEMORY_BENCH_SIZES=10000,100000 node bench/memory.bench.mjs
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileSources, median } from './lib.mjs';
import { generateStore, writeStore } from './memory-store-generator.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
const peakPreload = path.join(root, 'bench', 'report-peak-rss.mjs');
const { buildWordSets, greedyDedupe } = await import(await compileSources('memory', ['src/memory/tokens.ts', 'src/memory/similarity.ts']));

const sizes = (process.env.MEMORY_BENCH_SIZES ?? '10000,100000,1000000').split(',').map(Number);
const runsFor = (size) => (size >= 1_000_000 ? 1 : size >= 100_000 ? 3 : 5);
const scratch = mkdtempSync(path.join(tmpdir(), 'memory-bench-'));

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

// One CLI run on a fresh copy of `storeFile`: wall time (ms), peak RSS (MiB), the task's result.
function runTask(task, storeFile, extraArgs = [], dailyDir) {
  const home = mkdtempSync(path.join(scratch, 'home-'));
  const workspace = path.join(home, 'workspace');
  mkdirSync(path.join(workspace, 'memory'), { recursive: true });
  if (storeFile) copyFileSync(storeFile, path.join(workspace, 'memory', 'store.json'));
  if (dailyDir) cpSync(dailyDir, path.join(workspace, 'memory'), { recursive: true });
  const peakFile = path.join(home, 'peak-rss');
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', peakPreload, cli, task, '--home', home, '--workspace', workspace, '--json', ...extraArgs], {
    env: { ...process.env, PEAK_RSS_FILE: peakFile, RUNNER_HOME: undefined, OPENCLAW_WORKSPACE: undefined },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const wall = performance.now() - started;
  if (child.status !== 0) throw new Error(`${task} failed (${child.status}):\n${child.stdout}\n${child.stderr}`);
  const peakMiB = Number(readFileSync(peakFile, 'utf8')) / 1024;
  const result = JSON.parse(child.stdout);
  rmSync(home, { recursive: true, force: true });
  return { wall, peakMiB, result };
}

// The rule as written: each entry against every entry kept so far (word sets interned to sorted
// integer arrays so the baseline is the loop itself, not string hashing).
function naiveDedupe(sets, threshold) {
  const { count, offsets, tokens } = sets;
  const keep = new Uint8Array(count);
  const kept = [];
  for (let i = 0; i < count; i++) {
    const a0 = offsets[i];
    const a1 = offsets[i + 1];
    let duplicate = false;
    if (a1 > a0) {
      for (const k of kept) {
        let a = a0;
        let b = offsets[k];
        const b1 = offsets[k + 1];
        let overlap = 0;
        while (a < a1 && b < b1) {
          if (tokens[a] === tokens[b]) {
            overlap++;
            a++;
            b++;
          } else if (tokens[a] < tokens[b]) a++;
          else b++;
        }
        if (b1 > offsets[k] && overlap / (a1 - a0 + (b1 - offsets[k]) - overlap) >= threshold) {
          duplicate = true;
          break;
        }
      }
    }
    if (!duplicate) {
      keep[i] = 1;
      kept.push(i);
    }
  }
  return keep;
}

function timeIt(fn, runs) {
  const times = [];
  let value = runs > 1 ? fn() : undefined; // a warm-up run when there are several
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    value = fn();
    times.push(performance.now() - started);
  }
  return { ms: median(times), value };
}

console.log('memory benchmarks (synthetic stores: 5–40 words, Zipf vocabulary of 50k, 20% near duplicates, seed 1)\n');

// 1. End-to-end memory_consolidate.
const storeFiles = new Map();
async function storeOf(size) {
  if (!storeFiles.has(size)) {
    const file = path.join(scratch, `store-${size}.json`);
    await writeStore(file, generateStore({ count: size, seed: 1 }));
    storeFiles.set(size, file);
  }
  return storeFiles.get(size);
}

console.log('memory_consolidate, end to end (CLI child process; median of N runs)');
console.log('entries    | runs | time     | peak RSS  | µs/entry | removed (age + dup)');
let baselinePerEntry;
for (const size of sizes) {
  const file = await storeOf(size);
  const runs = [];
  for (let r = 0; r < runsFor(size); r++) runs.push(runTask('memory_consolidate', file));
  const wall = median(runs.map((run) => run.wall));
  const peak = Math.max(...runs.map((run) => run.peakMiB));
  const { pruned_by_age: age, pruned_by_duplication: dup } = runs[0].result;
  const perEntry = (wall * 1000) / size;
  baselinePerEntry ??= perEntry;
  console.log(
    `${String(size).padEnd(10)} | ${String(runs.length).padEnd(4)} | ${seconds(wall).padEnd(8)} | ${`${peak.toFixed(0)} MiB`.padEnd(9)} | ${perEntry.toFixed(1).padEnd(8)} | ${age} + ${dup}  (per-entry cost ×${(perEntry / baselinePerEntry).toFixed(2)} of the smallest)`,
  );
  if (size >= 1_000_000) console.log(`           bar: ≤ 15 s and ≤ 1536 MiB → ${wall <= 15_000 && peak <= 1536 ? 'met' : 'NOT met'}`);
}

// 2. The join against the naive loop on the same interned sets (dedupe step only).
console.log('\ngreedy dedupe at 0.9: exact join vs the naive loop (in process, same word sets)');
console.log('entries | join     | naive loop | naive / join | identical');
for (const size of [10_000, 20_000]) {
  const texts = generateStore({ count: size, seed: 2 }).map((entry) => entry.text);
  const sets = buildWordSets(texts);
  const join = timeIt(() => greedyDedupe(sets, 0.9), 5);
  const naive = timeIt(() => naiveDedupe(sets, 0.9), 1);
  const identical = join.value.every((flag, i) => flag === naive.value[i]);
  console.log(`${String(size).padEnd(7)} | ${`${join.ms.toFixed(1)} ms`.padEnd(8)} | ${seconds(naive.ms).padEnd(10)} | ${`×${(naive.ms / join.ms).toFixed(0)}`.padEnd(12)} | ${identical ? 'yes' : 'NO'}`);
  if (!identical) process.exitCode = 1;
}

// 3. memory_capture against a 100k store, with an empty store as the baseline (start-up cost).
// Two real daily files from the public corpus when it sits beside the checkout, else the project's own.
const corpusDaily = path.join(root, '..', 'shared', 'fixtures', 'openclaw-memory', 'KitTheFox123__workspace', 'memory');
const daily = existsSync(corpusDaily) ? corpusDaily : path.join(root, 'test', 'fixtures', 'memory', 'ops-agent', 'memory');
const captureStore = await storeOf(100_000);
const emptyStore = path.join(scratch, 'store-empty.json');
await writeStore(emptyStore, []);
const capture = (file) => {
  const runs = Array.from({ length: 5 }, () => runTask('memory_capture', file, ['--date', '2026-02-16'], daily));
  return { wall: median(runs.map((run) => run.wall)), peak: Math.max(...runs.map((run) => run.peakMiB)), result: runs[0].result };
};
const empty = capture(emptyStore);
const full = capture(captureStore);
console.log(`\nmemory_capture of two daily files from ${path.relative(root, daily)}, end to end (CLI; median of 5)`);
console.log('store          | time     | peak RSS  | extracted / added | ratio');
console.log(`empty          | ${seconds(empty.wall).padEnd(8)} | ${`${empty.peak.toFixed(0)} MiB`.padEnd(9)} | ${empty.result.items_extracted} / ${empty.result.items_added}`.padEnd(60) + '| ×1.00');
console.log(`100k entries   | ${seconds(full.wall).padEnd(8)} | ${`${full.peak.toFixed(0)} MiB`.padEnd(9)} | ${full.result.items_extracted} / ${full.result.items_added}`.padEnd(60) + `| ×${(full.wall / empty.wall).toFixed(2)}`);
console.log(`               bar: ≤ 1 s → ${full.wall <= 1000 ? 'met' : 'NOT met'}`);

rmSync(scratch, { recursive: true, force: true });
