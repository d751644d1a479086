// A bare BullMQ worker: the baselines of `runner worker` in bench/distributed.bench.mjs.
// Arguments: backend, prefix, queue name, processor: `empty` (an empty processor) or `io` (the
// I/O every run must do and nothing else: its record appended to a local log file and to the
// shared history, as the runner does it).
import { openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openBench } from './distributed-lib.mjs';

const [kind, prefix, name, processor = 'empty'] = process.argv.slice(2);
const bench = await openBench(kind, prefix);
const queue = bench.queue(name);
await queue.setGlobalConcurrency(1);
const logFile = path.join(tmpdir(), `taskrunner-bench-records-${process.pid}.jsonl`);
const log = openSync(logFile, 'a');
const withIo = async (job) => {
  const line = JSON.stringify({ task: 'b00', timestamp: new Date().toISOString(), success: true, duration_seconds: 0, message: job.data.i, run_id: job.id });
  statSync(logFile);
  writeSync(log, `${line}\n`);
  void bench.appendRecord(line);
  return { exitCode: 0 };
};
const worker = bench.worker(name, processor === 'io' ? withIo : async () => undefined, { concurrency: 1 });
worker.on('error', (error) => process.stderr.write(`${error.message}\n`));
await worker.waitUntilReady();
process.stderr.write('worker ready\n');
process.on('SIGTERM', async () => {
  await worker.close();
  await queue.close();
  await bench.close();
  rmSync(logFile, { force: true });
  process.exit(0);
});
