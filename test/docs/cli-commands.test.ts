import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';
import { buildTaskCommand } from '../../src/core/task-args.js';
import { Task, type TaskResult } from '../../src/core/task.js';
import { REPO_ROOT } from '../helpers/cli.js';
import { sectionsOf } from './markdown.js';

/** A command of the real CLI: its name, its subcommands' names, and its own long options. */
interface CommandShape {
  name: string;
  subcommands: string[];
  options: string[];
}

const longFlags = (command: Command) => command.options.flatMap((option) => (option.long ? [option.long] : []));

/** The `runner` program as the CLI builds it for `runner --help`: every command, each with its subcommands and options. */
async function cliShape(): Promise<{ commands: CommandShape[]; globals: string[] }> {
  const program = await buildProgram([]);
  const globals = [...longFlags(program), '--help'];
  const commands = program.commands.map((command) => ({
    name: command.name(),
    subcommands: command.commands.map((sub) => sub.name()),
    options: [...new Set([command, ...command.commands].flatMap(longFlags))].filter((flag) => !globals.includes(flag)),
  }));
  return { commands, globals };
}

/** What a command's section of docs/cli.md leaves out: the section itself, a subcommand, an option. */
function undocumented(markdown: string, shape: { commands: readonly CommandShape[]; globals: readonly string[] }, runFlags: readonly string[]): string[] {
  const sections = sectionsOf(markdown);
  const sectionOf = (name: string) => [...sections].find(([heading]) => heading.includes(`\`runner ${name}\``))?.[1];
  const mentions = (text: string, flag: string) => new RegExp(`(?<![\\w-])${flag}(?![\\w-])`).test(text);
  const missing: string[] = [];
  for (const command of [{ name: '<task>', subcommands: [], options: [...runFlags] }, ...shape.commands]) {
    const section = sectionOf(command.name);
    if (section === undefined) {
      missing.push(`runner ${command.name}: no section`);
      continue;
    }
    for (const sub of command.subcommands) {
      if (!new RegExp(`\`(runner ${command.name} )?${sub}\\b`).test(section)) missing.push(`runner ${command.name} ${sub}`);
    }
    for (const flag of command.options) if (!mentions(section, flag)) missing.push(`runner ${command.name} ${flag}`);
  }
  const globalSection = sections.get('Global options') ?? '';
  for (const flag of shape.globals) if (!mentions(globalSection, flag)) missing.push(`global option ${flag}`);
  // And no section for a command the CLI does not have.
  const known = new Set(['<task>', 'run', ...shape.commands.map((command) => command.name)]);
  for (const heading of sections.keys()) {
    for (const [, name] of heading.matchAll(/`runner ([^`\s]+)`/g)) if (!known.has(name!)) missing.push(`${heading}: no such command`);
  }
  return missing;
}

class AnyTask extends Task {
  name = 'any';
  description = 'a task';
  async run(): Promise<TaskResult> {
    return { success: true };
  }
}

describe('docs/cli.md', () => {
  it('documents every command of the real CLI, with its subcommands and options, and the global options', async () => {
    const shape = await cliShape();
    expect(shape.commands.map((command) => command.name)).toEqual(expect.arrayContaining(['run', 'status', 'cron', 'openclaw', 'schedule']));
    const runFlags = longFlags(buildTaskCommand(new AnyTask())).filter((flag) => !shape.globals.includes(flag));
    expect(runFlags).toEqual(['--dry-run', '--retries', '--timeout', '--skip-if-running', '--log-file']);
    const markdown = readFileSync(path.join(REPO_ROOT, 'docs', 'cli.md'), 'utf8');
    expect(undocumented(markdown, shape, runFlags)).toEqual([]);
  });

  it('reports a command, a subcommand, an option or a global option it leaves out, and a command that is not there', () => {
    const shape = {
      commands: [
        { name: 'alerts', subcommands: ['ack'], options: ['--drain'] },
        { name: 'logs', subcommands: [], options: ['--follow', '--task'] },
        { name: 'worker', subcommands: [], options: [] },
      ],
      globals: ['--home', '--no-color'],
    };
    const markdown = [
      '## Global options', '`--home <dir>`', '',
      '## `runner <task>` and `runner run`', '`--dry-run`', '',
      '## `runner alerts`', '`--drain` prints; `runner alerts acknowledge` is not ack', '',
      '## `runner logs`', '`-f, --follow` and --task-list', '',
      '## `runner lgos`', '',
    ].join('\n');
    expect(undocumented(markdown, shape, ['--dry-run', '--retries'])).toEqual([
      'runner <task> --retries',
      'runner alerts ack',
      'runner logs --task',
      'runner worker: no section',
      'global option --no-color',
      '`runner lgos`: no such command',
    ]);
  });
});
