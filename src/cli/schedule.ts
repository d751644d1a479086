import { Option, type Command } from 'commander';
import { discoverTasks, findTask } from '../loader/discover.js';
import { resolveRunPolicy } from '../core/run-policy.js';
import { assertTaskName } from '../shared/task-name.js';
import { isoInZone } from '../shared/time.js';
import { RunnerError } from '../shared/errors.js';
import { globalOptionsOf, settingsOf } from './global-options.js';
import { addGlobalOptions } from '../core/task-args.js';
import { printJson, printTable } from './output.js';
import { openConfiguredQueue } from './queue-common.js';
import { parseTaskArgs } from '../core/task-args.js';

/** Register `runner schedule add|list|remove`: BullMQ job schedulers on the task queues (SPEC §10). */
export function registerScheduleCommand(program: Command): void {
  const schedule = addGlobalOptions(program.command('schedule'))
    .description('schedules run by the workers (needs queue.url): each tick runs once in the cluster')
    .action(async (_options: unknown, command: Command) => {
      await listAction(command);
    });

  addGlobalOptions(schedule.command('add'))
    .description('add (or replace) a schedule of a task')
    .argument('<task>', 'task name')
    .argument('[args...]', "the task's arguments and options; its run flags after -- (e.g. -- --dry-run)")
    .requiredOption('--cron <expr>', 'cron expression: 5 fields, or 6 with seconds first')
    .option('--tz <zone>', 'IANA time zone of the expression (default: local time)')
    .option('--id <id>', 'the schedule id, unique across tasks (default <task>@<cron>, plus #<hash> of the arguments when there are some)')
    // Declared only to be refused: left to the task's arguments, it would install a schedule of dry
    // runs where a preview of the schedule was meant.
    .addOption(new Option('--dry-run').hideHelp())
    .allowUnknownOption()
    .action(async (taskName: string, args: string[], options: { cron: string; tz?: string; id?: string; dryRun?: boolean }, command: Command) => {
      assertTaskName(taskName);
      if (options.dryRun) {
        throw new RunnerError(
          'runner.invalidArgument',
          `--dry-run: \`schedule add\` has no preview, it installs the schedule. For a schedule whose runs are dry runs, give the task's --dry-run after --: runner schedule add ${taskName} … --cron "${options.cron}" -- --dry-run`,
        );
      }
      const globals = globalOptionsOf(command);
      const settings = settingsOf(globals);
      const { checkCron, addSchedule } = await import('../distributed/job-schedulers.js');
      checkCron(options.cron, options.tz);
      const { task } = await findTask(taskName, { home: settings.home });
      parseTaskArgs(task, args);
      const policy = resolveRunPolicy(task, settings.config);
      const connection = await openConfiguredQueue(settings);
      try {
        const request = {
          task: taskName,
          cron: options.cron,
          tz: options.tz,
          id: options.id,
          data: { task: taskName, args },
          attempts: policy.attempts,
          backoffMs: policy.retry.minTimeoutMs,
        };
        const info = await addSchedule(connection, request, await localTaskNames(settings.home));
        if (globals.json) printJson(info);
        else {
          const next = info.next === undefined ? '' : `, next run ${isoInZone(new Date(info.next), info.tz)}`;
          process.stdout.write(`${info.replaced ? 'replaced' : 'added'} ${info.id} (${taskName}${next})\n`);
        }
      } finally {
        await connection.close();
      }
    });

  addGlobalOptions(schedule.command('list'))
    .description('every schedule, by next run')
    .action(async (_options: unknown, command: Command) => {
      await listAction(command);
    });

  addGlobalOptions(schedule.command('remove'))
    .description('remove a schedule by id (see `runner schedule list`)')
    .argument('<id>', 'schedule id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const globals = globalOptionsOf(command);
      const settings = settingsOf(globals);
      const { removeSchedule } = await import('../distributed/job-schedulers.js');
      const connection = await openConfiguredQueue(settings);
      try {
        const task = await removeSchedule(connection, id, await localTaskNames(settings.home));
        if (task === undefined) throw new RunnerError('runner.invalidArgument', `no schedule with id ${JSON.stringify(id)} (see \`runner schedule list\`)`);
        if (globals.json) printJson({ id, task, removed: true });
        else process.stdout.write(`removed ${id} (${task})\n`);
      } finally {
        await connection.close();
      }
    });
}

async function listAction(command: Command): Promise<void> {
  const globals = globalOptionsOf(command);
  const settings = settingsOf(globals);
  const { listSchedules } = await import('../distributed/job-schedulers.js');
  const connection = await openConfiguredQueue(settings);
  try {
    const schedules = await listSchedules(connection, await localTaskNames(settings.home));
    if (globals.json) {
      printJson(schedules);
      return;
    }
    if (schedules.length === 0) {
      process.stdout.write('no schedules\n');
      return;
    }
    printTable(
      ['ID', 'TASK', 'CRON', 'TZ', 'NEXT RUN', 'ARGS'],
      schedules.map((s) => [s.id, s.task, s.cron ?? '', s.tz ?? '', s.next === undefined ? '' : isoInZone(new Date(s.next), s.tz), s.args.join(' ')]),
    );
  } finally {
    await connection.close();
  }
}

async function localTaskNames(home: string): Promise<string[]> {
  return [...(await discoverTasks({ home })).tasks.keys()];
}
