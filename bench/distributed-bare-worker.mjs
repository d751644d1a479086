// A bare BullMQ worker: the baselines of `runner worker` in bench/distributed.bench.mjs.
// Arguments: backend, prefix, queue name, processor, log file. The processor is `empty` (does
// nothing) or `records`: the two records a run of the runner owes and nothing else, the same as the
// runner's to the byte count (the record's keys in their order, a run id, a local timestamp with its
// offset), written the same way: one line appended to a local log file (`stat` of its path, then
// `write` on a descriptor kept open, as src/store/run-log.ts does) and one entry in the shared
// history (see distributed-lib.mjs); the job returns what a runner job returns.
import { randomUUID } from 'node:crypto';
import { mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { openBench } from './distributed-lib.mjs';

const [kind, prefix, name, processor, logFile] = process.argv.slice(2);
// The runner's worker at --concurrency 1 has a pool of 3.
const bench = await openBench(kind, prefix, { poolSize: 3 });
const queue = bench.queue(name);
await queue.setGlobalConcurrency(1);
const host = `${hostname()}:${process.pid}`;
let log;
if (processor === 'records') {
  mkdirSync(path.dirname(logFile), { recursive: true });
  log = openSync(logFile, 'a');
}

// `2026-12-06T12:44:21.123+01:00`, as the runner's records have it.
function localTimestamp(date) {
  const offset = -date.getTimezoneOffset();
  const abs = Math.abs(offset);
  const pad = (n) => String(n).padStart(2, '0');
  return `${new Date(date.getTime() + offset * 60_000).toISOString().slice(0, 23)}${offset >= 0 ? '+' : '-'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

// Appends still under way when the worker is told to stop: they finish before the connection closes.
const appending = new Set();
const records = async (job) => {
  const started = process.hrtime.bigint();
  const timestamp = localTimestamp(new Date());
  const runId = randomUUID();
  const record = {
    task: job.data.task,
    dry_run: false,
    timestamp,
    success: true,
    message: job.data.args[0],
    duration_seconds: Math.round(Number(process.hrtime.bigint() - started) / 1e6) / 1000,
    run_id: runId,
    attempts: 1,
  };
  const line = JSON.stringify(record);
  statSync(logFile);
  writeSync(log, `${line}\n`);
  const append = bench.appendRecord(line, record.task);
  appending.add(append);
  void append.finally(() => appending.delete(append));
  return { exitCode: 0, runId, host };
};
const worker = bench.worker(name, processor === 'records' ? records : async () => undefined, { concurrency: 1 });
worker.on('error', (error) => process.stderr.write(`${error.message}\n`));
await worker.waitUntilReady();
process.stderr.write('worker ready\n');
process.on('SIGTERM', async () => {
  await worker.close();
  await Promise.all([...appending]);
  await queue.close();
  await bench.close();
  process.exit(0);
});
