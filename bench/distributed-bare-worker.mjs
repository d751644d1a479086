// A bare BullMQ worker with an empty processor: the baseline of `runner worker` in
// bench/distributed.bench.mjs. Arguments: backend, prefix, queue name.
import { openBench } from './distributed-lib.mjs';

const [kind, prefix, name] = process.argv.slice(2);
const bench = await openBench(kind, prefix);
const queue = bench.queue(name);
await queue.setGlobalConcurrency(1);
const worker = bench.worker(name, async () => undefined, { concurrency: 1 });
worker.on('error', (error) => process.stderr.write(`${error.message}\n`));
await worker.waitUntilReady();
process.stderr.write('worker ready\n');
process.on('SIGTERM', async () => {
  await worker.close();
  await queue.close();
  await bench.close();
  process.exit(0);
});
