// Alert appends per second through the locked store, with 1 and 8 concurrent writer processes,
// against an unlocked atomic rewrite of the same file by one process (the floor of any safe append).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileSources, median, printTable } from './lib.mjs';

const PER_WRITER = 200;
const ROUNDS = 3;

const STORES = await compileSources('alerts', ['src/store/alerts.ts', 'src/store/json-file.ts', 'src/store/atomic-write.ts']);

const WRITER = `
const { AlertStore, formatJson, readJsonFile, writeAtomic } = await import(${JSON.stringify(STORES)});
const [file, count, mode] = process.argv.slice(1);
const store = new AlertStore(file);
for (let i = 0; i < Number(count); i++) {
  if (mode === 'unlocked') {
    const alerts = (await readJsonFile(file)) ?? [];
    alerts.push({ id: String(i), task: 'bench', timestamp: new Date().toISOString(), level: 'info', message: 'm' + i });
    await writeAtomic(file, (sink) => sink.write(formatJson(alerts)));
  } else {
    await store.append({ task: 'bench', level: 'info', message: 'm' + i });
  }
}
`;

function runWriters(writers, mode) {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskrunner-bench-alerts-'));
  const file = path.join(dir, 'pending.json');
  const start = performance.now();
  const children = Array.from({ length: writers }, () =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', WRITER, file, String(PER_WRITER), mode], { stdio: 'inherit' });
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`writer exited ${code}`))));
    }),
  );
  return Promise.all(children).then(() => {
    const seconds = (performance.now() - start) / 1000;
    rmSync(dir, { recursive: true, force: true });
    return (writers * PER_WRITER) / seconds;
  });
}

async function rate(writers, mode) {
  const rates = [];
  for (let round = 0; round < ROUNDS; round++) rates.push(await runWriters(writers, mode));
  return median(rates);
}

const baseline = await rate(1, 'unlocked');
const one = await rate(1, 'locked');
const eight = await rate(8, 'locked');
printTable(
  `alert appends (${PER_WRITER} per writer, median of ${ROUNDS} rounds, process start included)`,
  ['case', 'appends/s', 'vs unlocked'],
  [
    ['unlocked atomic rewrite, 1 writer (baseline)', baseline, 1],
    ['AlertStore.append, 1 writer', one, one / baseline],
    ['AlertStore.append, 8 concurrent writers', eight, eight / baseline],
  ],
  2,
);
