import type { Command } from 'commander';
import { diagnose, type DoctorItem } from '../health/doctor.js';
import { globalOptionsOf } from './global-options.js';
import { addGlobalOptions } from '../core/task-args.js';
import { paint, printJson, printTable } from './output.js';

const MARK = { ok: ['✓', 'green'], problem: ['✗', 'red'], note: ['–', 'dim'] } as const;

/**
 * Register `runner doctor [--json]`: where home, workspace, config, logs and alerts resolve, which
 * `openclaw` is on PATH, whether the gateway answers, and what is wrong with each. Exit 1 when
 * anything is. A broken config is a finding here, not an error that stops the command.
 */
export function registerDoctorCommand(program: Command): void {
  addGlobalOptions(program.command('doctor'))
    .description('check where the runner keeps things, OpenClaw and its gateway; exit 1 if anything is wrong')
    .action(async (_options: unknown, command: Command) => {
      const globals = globalOptionsOf(command);
      const report = await diagnose({ home: globals.home, workspace: globals.workspace, config: globals.config });
      if (globals.json) printJson(report);
      else printItems(report.items);
      process.exitCode = report.ok ? 0 : 1;
    });
}

function printItems(items: readonly DoctorItem[]): void {
  printTable(
    ['', 'WHAT', 'WHERE', 'STATE'],
    items.map((item) => {
      const [mark, color] = MARK[item.state];
      // A config error spans lines (one per bad key); a table row is one line.
      const detail = item.detail.replace(/:\n\s*/g, ': ').replace(/\n\s*/g, '; ');
      return [paint(mark, color), item.name, item.where ?? '', detail];
    }),
  );
}
