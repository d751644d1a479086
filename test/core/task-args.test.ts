import { describe, expect, it } from 'vitest';
import { parseTaskArgs } from '../../src/core/task-args.js';
import { Task, type TaskResult } from '../../src/core/task.js';

class Sample extends Task {
  name = 'sample';
  description = 'a task with options';
  override options = [
    { flags: '--min-free <percent>', default: '15' },
    { flags: '--tags <tag...>', default: ['a', 'b'] },
    { flags: '--verbose-report' },
  ];
  async run(): Promise<TaskResult> {
    return { success: true };
  }
}

describe('parseTaskArgs', () => {
  it('parses plain words to the option defaults and the words themselves, as commander does', () => {
    const task = new Sample();
    const plain = parseTaskArgs(task, ['one', 'two']);
    expect(plain).toEqual({
      args: ['one', 'two'],
      options: { minFree: '15', tags: ['a', 'b'] },
      flags: { dryRun: undefined, retries: undefined, timeout: undefined, skipIfRunning: undefined },
    });
    // The same words after `--` go through commander: the same answer.
    expect(parseTaskArgs(task, ['--', 'one', 'two'])).toEqual(plain);
  });

  it('parses flags with commander, and gives every caller its own copy', () => {
    const task = new Sample();
    const first = parseTaskArgs(task, ['x', '--min-free', '20', '--tags', 'c', '--dry-run']);
    expect(first.options).toEqual({ minFree: '20', tags: ['c'] });
    expect(first.flags.dryRun).toBe(true);
    (first.options.tags as string[]).push('changed');
    first.args.push('changed');
    const again = parseTaskArgs(task, ['x', '--min-free', '20', '--tags', 'c', '--dry-run']);
    expect(again.options.tags).toEqual(['c']);
    expect(again.args).toEqual(['x']);
    const plain = parseTaskArgs(task, []);
    (plain.options.tags as string[]).push('changed');
    expect(parseTaskArgs(task, ['y']).options.tags).toEqual(['a', 'b']);
  });

  it('still refuses an unknown flag', () => {
    expect(() => parseTaskArgs(new Sample(), ['--nope'])).toThrow(/unknown option/);
  });
});
