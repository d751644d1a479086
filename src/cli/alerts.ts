import type { Command } from 'commander';
import { RunnerError } from '../errors.js';
import { AlertStore, type Alert } from '../store/alerts.js';
import { addGlobalOptions, globalOptionsOf, settingsOf } from './global-options.js';
import { paint, printJson, printTable } from './output.js';

/** Register `runner alerts [--json] [--drain]` and `runner alerts ack <id…>`. */
export function registerAlertsCommand(program: Command): void {
  const alerts = addGlobalOptions(program.command('alerts'))
    .description('show pending alerts; --drain prints and removes them')
    .option('--drain', 'print the pending alerts and remove exactly those printed')
    .action(async (options: { drain?: boolean }, command: Command) => {
      const globals = globalOptionsOf(command);
      const store = AlertStore.forHome(settingsOf(globals).home);
      const print = (list: readonly Alert[]) => (globals.json ? printJson(list) : printAlerts(list));
      if (!options.drain) {
        print(await store.list());
        return;
      }
      // Removed only once stdout has taken every byte: a full disk or a closed pipe removes nothing.
      await store.drain(async (list) => {
        await printedToStdout(() => print(list)).catch((error: unknown) => {
          throw outputFailed(error, store.file, list.length);
        });
      });
    });

  addGlobalOptions(alerts.command('ack'))
    .description('remove alerts by id')
    .argument('<ids...>', 'alert ids, as `runner alerts` shows them')
    .action(async (ids: string[], _options: unknown, command: Command) => {
      const globals = globalOptionsOf(command);
      const missing = await AlertStore.forHome(settingsOf(globals).home).ack(ids);
      if (globals.json) printJson({ acknowledged: ids.filter((id) => !missing.includes(id)), missing });
      else if (!globals.quiet) process.stdout.write(`acknowledged ${ids.length - missing.length} alert(s)\n`);
      if (missing.length > 0) {
        throw new RunnerError('runner.invalidArgument', `no pending alert with id ${missing.join(', ')}`);
      }
    });
}

/**
 * Run `print` (which writes to stdout) and resolve once stdout has written all of it, or reject
 * with the write's error (EPIPE, ENOSPC, …). A stream error with no listener would crash the
 * process with a stack trace, so one is kept for good.
 */
function printedToStdout(print: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: Error | undefined;
    process.stdout.on('error', (error) => {
      failure ??= error;
    });
    try {
      print();
    } catch (error) {
      reject(error as Error);
      return;
    }
    // Writes complete in order: when this empty one has, everything before it has too.
    process.stdout.write('', (error) => {
      const first = failure ?? error ?? undefined;
      if (first) reject(first);
      else resolve();
    });
  });
}

function outputFailed(error: unknown, file: string, count: number): RunnerError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
  return new RunnerError('runner.outputFailed', `could not write the alerts to standard output (${reason}); none of the ${count} alert(s) was removed from ${file}`, { file, cause: error });
}

const LEVEL_COLOR = { info: 'dim', warning: 'yellow', error: 'red', critical: 'red' } as const;

function printAlerts(alerts: readonly Alert[]): void {
  if (alerts.length === 0) {
    process.stdout.write('no pending alerts\n');
    return;
  }
  printTable(
    ['ID', 'LEVEL', 'TASK', 'TIME', 'MESSAGE'],
    alerts.map((alert) => [
      alert.id,
      paint(String(alert.level), LEVEL_COLOR[alert.level] ?? 'bold'),
      String(alert.task ?? ''),
      String(alert.timestamp ?? ''),
      String(alert.message ?? ''),
    ]),
  );
}
