import { Option, type Command } from 'commander';
import { ACKS, chooseAck, dailyNoteChore, heartbeatReport, reportText, type Ack, type DailyNoteOutcome, type OverdueNews } from '../heartbeat/heartbeat.js';
import { checkOverdue } from '../heartbeat/overdue-check.js';
import { reportOnce } from '../heartbeat/overdue-episodes.js';
import type { Alert } from '../store/alerts.js';
import { drainToStdout } from './drain-to-stdout.js';
import { globalOptionsOf, settingsOf } from './global-options.js';
import { addGlobalOptions } from '../core/task-args.js';
import { withStores } from '../compose/stores.js';
import { printJson } from './output.js';

/**
 * Register `runner heartbeat [--json] [--ack HEARTBEAT_OK|NO_REPLY]` (SPEC §7): the agent's
 * heartbeat chores in one call. Makes sure today's daily note exists, drains the pending alerts
 * into one short message with a line for each task newly overdue on its schedule (once per
 * episode), and prints only the acknowledgement when nothing needs attention.
 * Exits 0 either way; it fails (exit 1, nothing removed) only when its output cannot be written.
 */
export function registerHeartbeatCommand(program: Command): void {
  addGlobalOptions(program.command('heartbeat'))
    .description('for the agent\'s heartbeat: make today\'s memory file, drain alerts into one message, or print HEARTBEAT_OK')
    .addOption(new Option('--ack <word>', 'what to print when nothing needs attention (default: heartbeat.ack in the config, else HEARTBEAT_OK)').choices(ACKS))
    .action(async (options: { ack?: Ack }, command: Command) => {
      const globals = globalOptionsOf(command);
      const settings = settingsOf(globals);
      const note = await dailyNoteChore(settings);
      const ack = chooseAck(options.ack, settings.config);
      await withStores(settings, async (stores) => {
        // The run history status reads (the shared one with a queue), judged as status judges it.
        const check = await checkOverdue(settings, stores.history, new Date());
        await reportOnce(settings.home, check, async (tasks, problems) => {
          const overdue = { tasks, problems: [...check.problems, ...problems], timeZone: settings.config.timezone };
          await drainToStdout(stores.alerts, stores.alertsAt, (alerts) => print(alerts, note, ack, overdue, globals.json === true));
        });
      });
    });
}

function print(alerts: readonly Alert[], note: DailyNoteOutcome, ack: Ack, overdue: OverdueNews, json: boolean): void {
  const report = heartbeatReport(alerts, note, ack, overdue);
  if (json) printJson(report);
  else process.stdout.write(reportText(report));
}
