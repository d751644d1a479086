import type { Command } from 'commander';
import { findTask, type DiscoveredTask } from '../core/discover.js';
import { assertTaskName } from '../core/task.js';
import { addGlobalOptions, globalOptionsOf, settingsOf } from './global-options.js';
import { printJson } from './output.js';
import { buildTaskCommand } from './task-command.js';

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
      const { home } = settingsOf(globals);
      const found = await findTask(taskName, { home });
      if (globals.json) printJson(helpJson(found));
      else process.stdout.write(helpText(found));
    });
}

function helpText(found: DiscoveredTask): string {
  const usage = buildTaskCommand(found.task).name(`runner ${found.name}`).helpInformation();
  const defaults = found.task.defaults;
  const lines = [`Source: ${found.builtin ? 'built-in' : found.file}`];
  if (defaults?.timeout !== undefined) lines.push(`Default timeout: ${String(defaults.timeout)}`);
  if (defaults?.attempts !== undefined) lines.push(`Default attempts: ${defaults.attempts}`);
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
