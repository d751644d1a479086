import { chmodSync, existsSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { discoverTasks, findTask } from '../../src/index.js';
import { makeHome, writeFile } from '../helpers/cli.js';
import { rejection } from '../helpers/rejection.js';

/** Source of a task class; `exportAs` is `default` or a named export. */
function taskSource(name: string, className = 'T', exportAs = 'default'): string {
  const head = exportAs === 'default' ? `export default class ${className}` : `export class ${className}`;
  return `${head} extends Task {\n  name = '${name}';\n  description = 'task ${name}';\n  async run(_ctx: TaskContext) { return { success: true }; }\n}\n`;
}
const IMPORTS = `import { Task, type TaskContext } from 'taskrunner';\n`;

let home: string;

beforeEach(() => {
  home = makeHome().home;
});

const userOnly = () => ({ home, builtins: false });

describe('discoverTasks', () => {
  it('finds every task of a file that exports several', async () => {
    const file = writeFile(home, 'tasks/pair.ts', IMPORTS + taskSource('first', 'First') + taskSource('second', 'Second', 'named'));
    const registry = await discoverTasks(userOnly());
    expect([...registry.tasks.keys()]).toEqual(['first', 'second']);
    expect(registry.tasks.get('second')).toMatchObject({ file, builtin: false, description: 'task second' });
    expect(registry.broken).toEqual([]);
  });

  it('looks in subfolders and in every task file extension', async () => {
    writeFile(home, 'tasks/a.ts', IMPORTS + taskSource('a'));
    writeFile(home, 'tasks/deep/b.mts', IMPORTS + taskSource('b'));
    writeFile(home, 'tasks/c.js', `import { Task } from 'taskrunner';\nexport default class extends Task { name = 'c'; description = ''; async run() { return { success: true }; } }\n`);
    writeFile(home, 'tasks/d.mjs', `import { Task } from 'taskrunner';\nexport default class extends Task { name = 'd'; description = ''; async run() { return { success: true }; } }\n`);
    writeFile(home, 'tasks/types.d.ts', `export interface Nothing { x: number }\n`);
    writeFile(home, 'tasks/_private/ignored.ts', `throw new Error('never loaded');\n`);
    const registry = await discoverTasks(userOnly());
    expect([...registry.tasks.keys()]).toEqual(['a', 'b', 'c', 'd']);
    expect(registry.broken).toEqual([]);
  });

  it('refuses two tasks with one name, naming both files', async () => {
    const one = writeFile(home, 'tasks/one.ts', IMPORTS + taskSource('same'));
    const two = writeFile(home, 'tasks/two.ts', IMPORTS + taskSource('same'));
    const error = await rejection(discoverTasks(userOnly()));
    expect(error.code).toBe('runner.duplicateTask');
    expect(error.message).toContain(one);
    expect(error.message).toContain(two);
  });

  it('lists a broken file with its reason and still loads the others', async () => {
    writeFile(home, 'tasks/good.ts', IMPORTS + taskSource('good'));
    const syntax = writeFile(home, 'tasks/syntax.ts', `export const = ;\n`);
    const throws = writeFile(home, 'tasks/throws.ts', `throw new Error('cannot start');\n`);
    const empty = writeFile(home, 'tasks/empty.ts', `export const notATask = 1;\n`);
    const unsafe = writeFile(home, 'tasks/unsafe.ts', IMPORTS + taskSource('unsafe'));
    chmodSync(unsafe, 0o664);
    const registry = await discoverTasks(userOnly());
    expect([...registry.tasks.keys()]).toEqual(['good']);
    const reasons = new Map(registry.broken.map(({ file, reason }) => [file, reason]));
    expect([...reasons.keys()].sort()).toEqual([empty, syntax, throws, unsafe].sort());
    expect(reasons.get(syntax)).toMatch(/Unexpected token/);
    expect(reasons.get(throws)).toContain('cannot start');
    expect(reasons.get(empty)).toContain('exports no task');
    expect(reasons.get(unsafe)).toContain('writable by group');
  });

  it('treats a file imported by a task as a helper, not a broken task file', async () => {
    writeFile(home, 'tasks/lib/util.ts', `export const greeting = (who: string): string => 'hi ' + who;\n`);
    writeFile(home, 'tasks/greet.ts', `${IMPORTS}import { greeting } from './lib/util.js';\nexport const text = greeting('x');\n${taskSource('greet')}`);
    const registry = await discoverTasks(userOnly());
    expect([...registry.tasks.keys()]).toEqual(['greet']);
    expect(registry.broken).toEqual([]);
  });

  it('skips exported abstract base classes', async () => {
    writeFile(
      home,
      'tasks/based.ts',
      `${IMPORTS}export abstract class Base extends Task { greet() { return 'hi'; } }\nexport default class Concrete extends Base {\n  name = 'concrete';\n  description = '';\n  async run(_ctx: TaskContext) { return { success: true }; }\n}\n`,
    );
    const registry = await discoverTasks(userOnly());
    expect([...registry.tasks.keys()]).toEqual(['concrete']);
  });

  it('refuses a task whose name is not [a-z0-9_-]+', async () => {
    const file = writeFile(home, 'tasks/upper.ts', IMPORTS + taskSource('Upper Case'));
    const registry = await discoverTasks(userOnly());
    expect(registry.broken).toEqual([{ file, reason: expect.stringContaining('invalid name "Upper Case"') }]);
  });

  it('includes the built-in tasks, marked as such', async () => {
    const registry = await discoverTasks({ home });
    const builtins = [...registry.tasks.values()].filter((task) => task.builtin);
    for (const task of builtins) expect(task.file).toMatch(/src[/\\]tasks[/\\].+\.ts$/);
    expect(registry.broken.filter(({ file }) => !file.startsWith(home))).toEqual([]);
  });
});

describe('findTask', () => {
  it("loads only the task's own file, not the others", async () => {
    const file = writeFile(home, 'tasks/hello.ts', IMPORTS + taskSource('hello'));
    const marker = path.join(home, 'loaded-other');
    writeFile(home, 'tasks/other.ts', `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'x');\n${IMPORTS}${taskSource('other')}`);
    const found = await findTask('hello', userOnly());
    expect(found).toMatchObject({ name: 'hello', file, builtin: false });
    expect(existsSync(marker)).toBe(false);
  });

  it('falls back to every file when no file is named after the task', async () => {
    const file = writeFile(home, 'tasks/misc.ts', IMPORTS + taskSource('tidy'));
    expect(await findTask('tidy', userOnly())).toMatchObject({ name: 'tidy', file });
  });

  it('refuses a name outside [a-z0-9_-]+ before touching the file system', async () => {
    for (const name of ['../etc/passwd', 'Hello', 'a b', '']) {
      const error = await rejection(findTask(name, { home: path.join(home, 'does-not-exist') }));
      expect(error.code).toBe('runner.invalidTaskName');
    }
  });

  it('says "did you mean" for an unknown task, exit code 1', async () => {
    writeFile(home, 'tasks/memory_check.ts', IMPORTS + taskSource('memory_check'));
    const error = await rejection(findTask('memory_chek', userOnly()));
    expect(error.code).toBe('runner.unknownTask');
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(`unknown task "memory_chek". Did you mean "memory_check"? Looked in ${path.join(home, 'tasks')}/; the home is ${home}.`);
  });

  it("reports the task's own file failing to load as an error", async () => {
    const file = writeFile(home, 'tasks/unsafe.ts', IMPORTS + taskSource('unsafe'));
    chmodSync(file, 0o666);
    const error = await rejection(findTask('unsafe', userOnly()));
    expect(error.code).toBe('runner.unsafeFile');
    expect(error.message).toContain(file);
  });

  it('refuses a name defined by two files of that name, naming both', async () => {
    const ts = writeFile(home, 'tasks/twin.ts', IMPORTS + taskSource('twin'));
    const mjs = writeFile(home, 'tasks/twin.mjs', `import { Task } from 'taskrunner';\nexport default class extends Task { name = 'twin'; description = ''; async run() { return { success: true }; } }\n`);
    const error = await rejection(findTask('twin', userOnly()));
    expect(error.code).toBe('runner.duplicateTask');
    expect(error.message).toContain(ts);
    expect(error.message).toContain(mjs);
  });

  it('refuses a user task that shadows a built-in one, naming both files', async () => {
    const builtin = [...(await discoverTasks({ home })).tasks.values()].find((task) => task.builtin);
    if (builtin === undefined) expect.fail('discovery lists the built-in tasks (batch, memory_capture, …)');
    const file = writeFile(home, `tasks/${builtin.name}.ts`, IMPORTS + taskSource(builtin.name));
    const error = await rejection(findTask(builtin.name, { home }));
    expect(error.code).toBe('runner.duplicateTask');
    expect(error.message).toContain(file);
    expect(error.message).toContain(builtin.file);
  });
});
