import type { Command } from 'commander';
import { RunnerError } from '../shared/errors.js';
import type { Alert } from '../store/alerts.js';
import { drainToStdout } from './drain-to-stdout.js';
import { globalOptionsOf, settingsOf } from './global-options.js';
import { addGlobalOptions } from '../core/task-args.js';
import { withStores } from '../compose/stores.js';
import { paint, printJson, printTable } from './output.js';

/** Register `runner alerts [--json] [--drain]` and `runner alerts ack <id…>`. */
export function registerAlertsCommand(program: Command): void {
  const alerts = addGlobalOptions(program.command('alerts'))
    .description('show pending alerts; --drain prints and removes them')
    .option('--drain', 'print the pending alerts and remove exactly those printed')
    .action(async (options: { drain?: boolean }, command: Command) => {
      const globals = globalOptionsOf(command);
      const print = (list: readonly Alert[]) => (globals.json ? printJson(list) : printAlerts(list));
      await withStores(settingsOf(globals), async ({ alerts, alertsAt }) => {
        if (!options.drain) {
          print(await alerts.list());
          return;
        }
        // Removed only once stdout has taken every byte: a full disk or a closed pipe removes nothing.
        await drainToStdout(alerts, alertsAt, print);
      });
    });

  addGlobalOptions(alerts.command('ack'))
    .description('remove alerts by id')
    .argument('<ids...>', 'alert ids, as `runner alerts` shows them')
    .action(async (ids: string[], _options: unknown, command: Command) => {
      const globals = globalOptionsOf(command);
      // The known ids are acknowledged even when some are not; those are named on stderr, exit 1.
      const missing = await withStores(settingsOf(globals), ({ alerts }) => alerts.ack(ids));
      const acknowledged = [...new Set(ids)].filter((id) => !missing.includes(id));
      if (globals.json) printJson({ acknowledged, missing });
      else if (!globals.quiet && acknowledged.length > 0) process.stdout.write(`acknowledged ${acknowledged.length} alert(s)\n`);
      if (missing.length > 0) {
        const which = missing.length === 1 ? `no pending alert with id ${missing[0]}` : `no pending alerts with ids ${missing.join(', ')}`;
        const done = acknowledged.length > 0 ? ` (the other ${acknowledged.length} ${acknowledged.length === 1 ? 'was' : 'were'} acknowledged)` : '';
        throw new RunnerError('runner.invalidArgument', `${which}${done}: already acknowledged or drained, or mistyped; \`runner alerts\` lists the pending ones`);
      }
    });
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
