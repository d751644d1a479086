import type { Command } from 'commander';
import { sharedStoresOn } from '../compose/stores.js';
import { EXIT, RunnerError } from '../shared/errors.js';
import { assertHomeToWriteIn } from '../config/home.js';
import { globalOptionsOf, settingsOf, stderrLoggerOf } from './global-options.js';
import { addGlobalOptions } from '../core/task-args.js';
import { openConfiguredQueue } from './queue-common.js';

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_LOCK_MS = 30_000;
const DEFAULT_SHUTDOWN_MS = 30_000;

/** Register `runner worker`: take jobs from the task queues and run them until SIGTERM/SIGINT. */
export function registerWorkerCommand(program: Command): void {
  addGlobalOptions(program.command('worker'))
    .description('run jobs from the queue (needs queue.url) until SIGTERM or SIGINT')
    .option('--concurrency <n>', 'runs at once in this process (default queue.concurrency, 4)')
    .option('--tasks <names>', 'only these tasks, comma-separated (default: every task of the home)')
    .action(async (options: { concurrency?: string; tasks?: string }, command: Command) => {
      await workerAction(options, command);
    });
}

async function workerAction(flags: { concurrency?: string; tasks?: string }, command: Command): Promise<void> {
  const globals = globalOptionsOf(command);
  const settings = settingsOf(globals);
  // Every job's record goes into the home's logs/tasks.jsonl.
  assertHomeToWriteIn(settings.home, settings.homeSource);
  const queueSettings = settings.config.queue ?? {};
  const concurrency = flags.concurrency === undefined ? (queueSettings.concurrency ?? DEFAULT_CONCURRENCY) : parseConcurrency(flags.concurrency);
  const tasks = flags.tasks === undefined ? undefined : parseTasks(flags.tasks);
  const log = stderrLoggerOf(globals);
  const { startWorker } = await import('../distributed/worker.js');

  const connection = await openConfiguredQueue(settings, {
    // Runs, lock renewals and stalled checks of all task queues share the pool.
    poolSize: Math.min(concurrency + 2, 8),
    onError: (error) => log.warn(`queue server: ${error.message} (reconnecting)`),
  });
  let stopping: ((name: NodeJS.Signals) => void) | undefined;
  const stopped = new Promise<NodeJS.Signals>((resolve) => (stopping = resolve));
  const onSignal = (name: NodeJS.Signals) => {
    if (signalled) process.exit(name === 'SIGINT' ? EXIT.sigint : EXIT.sigterm);
    signalled = true;
    stopping?.(name);
  };
  let signalled = false;
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    // The shared stores on the worker's own connection, its runs' alerts pushed to the agent as a local run's are.
    const { alerts, history } = await sharedStoresOn(connection, settings, { pushAlerts: true, log });
    const worker = await startWorker(connection, { settings, concurrency, tasks, log, lockMs: queueSettings.lockMs ?? DEFAULT_LOCK_MS }, { alerts, history });
    process.stderr.write(
      `worker ready: ${worker.tasks.length} task queue(s) (${worker.tasks.join(', ')}) on ${connection.target.displayUrl}, concurrency ${concurrency}\n`,
    );
    const signal = await stopped;
    process.stderr.write(`${signal}: finishing active runs (up to ${(queueSettings.shutdownMs ?? DEFAULT_SHUTDOWN_MS) / 1000} s)\n`);
    const { aborted } = await worker.close(queueSettings.shutdownMs ?? DEFAULT_SHUTDOWN_MS);
    process.stderr.write(aborted ? 'worker stopped: active runs were aborted\n' : 'worker stopped\n');
    if (aborted) process.exitCode = signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
  } finally {
    await connection.close().catch(() => undefined);
  }
}

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 1000) throw new RunnerError('runner.invalidArgument', `--concurrency: expected a whole number from 1 to 1000, got ${JSON.stringify(value)}`);
  return n;
}

function parseTasks(value: string): string[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new RunnerError('runner.invalidArgument', '--tasks: expected task names separated by commas');
  for (const name of names) {
    if (!/^[a-z0-9_-]{1,64}$/.test(name)) throw new RunnerError('runner.invalidTaskName', `--tasks: invalid task name ${JSON.stringify(name)}: [a-z0-9_-], at most 64 characters`);
  }
  return names;
}
