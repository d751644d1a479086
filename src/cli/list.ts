import path from 'node:path';
import type { Command } from 'commander';
import { discoverTasks, type BrokenTaskFile, type DiscoveredTask } from '../loader/discover.js';
import { globalOptionsOf, settingsOf } from './global-options.js';
import { addGlobalOptions } from '../core/task-args.js';
import { paint, printJson, printTable } from './output.js';

/** Register `runner list [--json]`: every discovered task, and the task files that failed to load. */
export function registerListCommand(program: Command): void {
  addGlobalOptions(program.command('list'))
    .description('list the discovered tasks with their description and source file, and broken task files')
    .action(async (_options: unknown, command: Command) => {
      const globals = globalOptionsOf(command);
      const { home } = settingsOf(globals);
      const registry = await discoverTasks({ home });
      const tasks = [...registry.tasks.values()];
      if (globals.json) {
        printJson({ tasks: tasks.map(taskJson), broken: registry.broken });
        return;
      }
      printTasks(tasks, home);
      printBroken(registry.broken, home);
    });
}

function taskJson(task: DiscoveredTask): Record<string, unknown> {
  return { name: task.name, description: task.description, source: task.builtin ? 'builtin' : 'user', file: task.file };
}

function printTasks(tasks: readonly DiscoveredTask[], home: string): void {
  if (tasks.length === 0) {
    process.stdout.write(`no tasks found (user tasks go in ${path.join(home, 'tasks')})\n`);
    return;
  }
  printTable(
    ['TASK', 'DESCRIPTION', 'SOURCE'],
    tasks.map((task) => [task.name, task.description, task.builtin ? 'built-in' : displayPath(task.file, home)]),
  );
}

function printBroken(broken: readonly BrokenTaskFile[], home: string): void {
  if (broken.length === 0) return;
  process.stdout.write(`\n${paint(`broken task files (${broken.length}):`, 'red')}\n`);
  for (const { file, reason } of broken) {
    process.stdout.write(`  ${displayPath(file, home)}: ${reason}\n`);
  }
}

/** A file under the home as `tasks/x.ts`, anything else as it is. */
function displayPath(file: string, home: string): string {
  const relative = path.relative(home, file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}
