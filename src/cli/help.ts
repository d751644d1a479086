import type { Command } from 'commander';
import type { RunnerConfig } from '../config/config.js';
import { findTask, type DiscoveredTask } from '../loader/discover.js';
import { resolveAttempts, timeoutSetting } from '../core/run-policy.js';
import { assertTaskName } from '../shared/task-name.js';
import { RunnerError } from '../shared/errors.js';
import { globalOptionsOf, settingsOf, taskLookupOf } from './global-options.js';
import { addGlobalOptions } from '../core/task-args.js';
import { printJson } from './output.js';
import { buildTaskCommand } from '../core/task-args.js';

/** Register `runner help <task>`: a task's description, arguments, options and defaults. */
export function registerHelpCommand(program: Command): void {
  addGlobalOptions(program.command('help'))
    .description("show a task's description, arguments, options and defaults (or the runner's own help)")
    .argument('[task]', 'task name')
    .action(async (taskName: string | undefined, _options: unknown, command: Command) => {
      if (taskName === undefined) {
        program.outputHelp();
        return;
      }
      assertTaskName(taskName);
      const globals = globalOptionsOf(command);
      const settings = settingsOf(globals);
      // Every command is registered for `runner help` (see main.ts's commandsFor).
      const commands = new Map(program.commands.map((each) => [each.name(), each]));
      let found: DiscoveredTask;
      try {
        found = await findTask(taskName, { ...taskLookupOf(settings), commands: [...commands.keys()] });
      } catch (error) {
        // `runner help status`: a command's own help, when no task has that name.
        const asCommand = commands.get(taskName);
        if (!(error instanceof RunnerError && error.code === 'runner.unknownTask') || asCommand === undefined) throw error;
        asCommand.outputHelp();
        return;
      }
      if (globals.json) printJson(helpJson(found));
      else process.stdout.write(helpText(found, settings.config, commands.has(found.name)));
    });
}

/**
 * The task's usage and where its defaults come from, by the resolution a run uses. A task named
 * like a command runs only as `runner run <name>`, so its usage says that.
 */
function helpText(found: DiscoveredTask, config: RunnerConfig, namedLikeCommand: boolean): string {
  const usage = buildTaskCommand(found.task, config)
    .name(namedLikeCommand ? `runner run ${found.name}` : `runner ${found.name}`)
    .helpInformation();
  const lines = [`Source: ${found.builtin ? 'built-in' : found.file}`];
  const timeout = timeoutSetting(found.task, config);
  if (timeout !== undefined) lines.push(`Default timeout: ${String(timeout.value)} (${timeout.source})`);
  const attempts = resolveAttempts(found.task, config);
  lines.push(`Default attempts: ${attempts.value} (${attempts.source})`);
  return `${usage}\n${lines.join('\n')}\n`;
}

function helpJson(found: DiscoveredTask): Record<string, unknown> {
  const { task } = found;
  return {
    name: found.name,
    description: found.description,
    source: found.builtin ? 'builtin' : 'user',
    file: found.file,
    arguments: task.arguments ?? [],
    options: task.options ?? [],
    defaults: task.defaults ?? {},
  };
}
