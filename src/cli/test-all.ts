import type { Command } from 'commander';
import { assertHomeToWriteIn } from '../config/home.js';
import { discoverTasks } from '../loader/discover.js';
import { runTask } from '../core/run-task.js';
import { guardRunUntilRecorded } from './exit-guard.js';
import { globalOptionsOf, settingsOf, stderrLoggerOf } from './global-options.js';
import { addGlobalOptions } from '../core/task-args.js';
import { paint, printJson } from './output.js';

/** Register `runner test-all`: every task once in dry-run; non-zero if any fails or a file is broken. */
export function registerTestAllCommand(program: Command): void {
  addGlobalOptions(program.command('test-all'))
    .description('run every task once in dry-run mode; exit 1 if any fails')
    .action(async (_options: unknown, command: Command) => {
      const globals = globalOptionsOf(command);
      const settings = settingsOf(globals);
      // Each dry run still writes its record into the home.
      assertHomeToWriteIn(settings.home, settings.homeSource);
      const registry = await discoverTasks({ home: settings.home });
      const log = stderrLoggerOf(globals);
      const results: { task: string; success: boolean; status: string; error?: unknown }[] = [];
      // A task that ends the process still leaves its record and a non-zero exit.
      const unguard = guardRunUntilRecorded();
      try {
        for (const { task } of registry.tasks.values()) {
          const outcome = await runTask(task, { settings, dryRun: true, retries: 0, log });
          results.push({ task: task.name, success: outcome.status === 'success', status: outcome.status, error: outcome.record.error });
        }
      } finally {
        unguard();
      }
      for (const broken of registry.broken) {
        results.push({ task: broken.file, success: false, status: 'broken', error: broken.reason });
      }
      const failed = results.filter((result) => !result.success).length;
      if (globals.json) {
        printJson({ passed: results.length - failed, failed, results });
      } else {
        for (const result of results) {
          const mark = result.success ? paint('✓', 'green') : paint('✗', 'red');
          process.stdout.write(`${mark} ${result.task}${result.success ? '' : ` (${result.status}): ${String(result.error)}`}\n`);
        }
        process.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
      }
      process.exitCode = failed > 0 ? 1 : 0;
    });
}
