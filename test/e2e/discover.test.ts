import { chmodSync, chownSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { makeHome, runCli, writeFile } from '../helpers/cli.js';

const HELLO = `import { Task, type TaskContext } from 'taskrunner';
import { exclaim } from './lib/exclaim.ts';
import { shape } from 'fake-shape';

export default class HelloTask extends Task {
  name = 'hello';
  description = 'Says hello';
  override readonly options = [{ flags: '--who <name>', description: 'whom to greet', default: 'world' }];
  override readonly defaults = { timeout: '30s' };
  async run(ctx: TaskContext): Promise<{ success: boolean; message: string }> {
    return { success: true, message: exclaim(\`hello \${String(ctx.options.who)} \${shape}\`) };
  }
}
`;

/** Node >= 22.1 keeps the code it compiled, the task's included, in a compile cache. */
const compileCache = 'enableCompileCache' in Module;

let home: string;
let workspace: string;
let env: Record<string, string>;

beforeEach(() => {
  ({ home, workspace } = makeHome());
  // The caches are private to each test, and never inside the home.
  env = { XDG_CACHE_HOME: mkdtempSync(path.join(tmpdir(), 'taskrunner-cache-e2e-')) };
  writeFile(home, 'tasks/hello.ts', HELLO);
  writeFile(home, 'tasks/lib/exclaim.ts', `export function exclaim(text: string): string { return text + '!'; }\n`);
  writeFile(home, 'node_modules/fake-shape/package.json', JSON.stringify({ name: 'fake-shape', exports: './index.mjs' }));
  writeFile(home, 'node_modules/fake-shape/index.mjs', `export const shape = 'round';\n`);
});

const cli = (...args: string[]) => runCli([...args, '--home', home, '--workspace', workspace], { env });
const cacheDir = () => path.join(env.XDG_CACHE_HOME!, 'taskrunner');

function snapshot(dir: string): Map<string, number> {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
  return new Map(entries.map((entry) => {
    const file = path.join(entry.parentPath, entry.name);
    return [file, statSync(file).mtimeMs];
  }));
}

describe('runner with user task files', () => {
  it('runs a TypeScript task with a helper and a package, no build step', async () => {
    const result = await cli('hello', '--who', 'Ada', '--json');
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ task: 'hello', success: true, message: 'hello Ada round!' });
  });

  it.runIf(compileCache)("keeps the task's compiled code in Node's compile cache: a second run writes nothing there", async () => {
    expect((await cli('hello')).code).toBe(0);
    const first = snapshot(cacheDir());
    expect([...first.keys()].filter((file) => file.includes(`${path.sep}v8${path.sep}`) && file.includes('-node'))).not.toEqual([]);
    expect((await cli('hello')).code).toBe(0);
    expect(snapshot(cacheDir())).toEqual(first);
  });

  it("gives a task the runtime's own library: its RunnerError is the runner's class", async () => {
    writeFile(
      home,
      'tasks/plain.ts',
      `import { Task, RunnerError, type TaskContext } from 'taskrunner';\nimport { exclaim } from './lib/exclaim.ts';\nimport path from 'node:path';\n\nexport default class Plain extends Task {\n  name = 'plain';\n  description = 'plain';\n  async run(ctx: TaskContext) {\n    if (ctx.args[0] === 'fail') throw new RunnerError('runner.invalidArgument', 'told to fail');\n    return { success: true, message: exclaim(path.basename(import.meta.filename)) };\n  }\n}\n`,
    );
    const result = await cli('plain', '--json');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ task: 'plain', success: true, message: 'plain.ts!' });
    // The task's RunnerError is the runtime's own class: a bad-input error is not retried.
    const failed = await cli('plain', 'fail', '--json', '--retries', '3');
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ success: false, attempts: 1 });
  });

  it('runs a task with top-level await and import.meta', async () => {
    writeFile(
      home,
      'tasks/awaits.ts',
      `import { Task } from 'taskrunner';\nconst base = await Promise.resolve(import.meta.filename);\nexport default class Awaits extends Task {\n  name = 'awaits';\n  description = 'awaits';\n  async run() { return { success: true, message: base.endsWith('awaits.ts') ? 'own file' : base }; }\n}\n`,
    );
    const result = await cli('awaits', '--json');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ success: true, message: 'own file' });
  });

  it('lets many cold runs fill the caches at once', async () => {
    // `help` loads the task without running it, so the runs do not contend for the task's lock.
    const results = await Promise.all(Array.from({ length: 6 }, () => cli('help', 'hello')));
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('Says hello');
    }
    expect([...snapshot(cacheDir()).keys()].filter((file) => file.endsWith('.tmp'))).toEqual([]);
  });

  it('writes nothing in the home but the run record on a dry run', async () => {
    const before = snapshot(home);
    expect((await cli('hello', '--dry-run')).code).toBe(0);
    const after = snapshot(home);
    const changed = [...after].filter(([file, mtime]) => before.get(file) !== mtime).map(([file]) => path.relative(home, file));
    expect(changed).toEqual([path.join('logs', 'tasks.jsonl')]);
  });

  it('lists tasks and broken files with their reasons', async () => {
    writeFile(home, 'tasks/pair.ts', `import { Task } from 'taskrunner';
export class A extends Task { name = 'pair_a'; description = 'first'; async run() { return { success: true }; } }
export class B extends Task { name = 'pair_b'; description = 'second'; async run() { return { success: true }; } }
`);
    writeFile(home, 'tasks/broken.ts', `export const x: = 1;\n`);
    const json = await cli('list', '--json');
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as { tasks: { name: string; source: string; file: string }[]; broken: { file: string; reason: string }[] };
    expect(listed.tasks.filter((task) => task.source === 'user').map((task) => task.name)).toEqual(['hello', 'pair_a', 'pair_b']);
    expect(listed.broken).toEqual([{ file: path.join(home, 'tasks/broken.ts'), reason: expect.stringContaining('broken.ts') }]);

    const table = await cli('list');
    expect(table.stdout).toMatch(/hello\s+Says hello\s+tasks\/hello\.ts/);
    expect(table.stdout).toContain('tasks/broken.ts:');
  });

  it("shows a task's description, options and defaults", async () => {
    const result = await cli('help', 'hello');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Says hello');
    expect(result.stdout).toMatch(/--who <name>\s+whom to greet \(default: "world"\)/);
    expect(result.stdout).toContain('Default timeout: 30s');
  });

  it('shows the default retries a run would use, from the task, the config or the runner, the same in --help', async () => {
    writeFile(home, 'tasks/twice.ts', `import { Task } from 'taskrunner';
export default class Twice extends Task { name = 'twice'; description = 'tries twice'; override defaults = { attempts: 2 }; async run() { return { success: true }; } }
`);
    const help = await cli('help', 'twice');
    expect(help.stdout).toMatch(/--retries <n>\s+retries after the first attempt \(default: 1, i\.e\. 2\s+attempts\)/);
    expect(help.stdout).toContain("Default attempts: 2 (the task's defaults.attempts)");
    const flag = await cli('twice', '--help');
    expect(flag.stdout).toMatch(/\(default: 1, i\.e\. 2\s+attempts\)/);
    writeFile(home, 'runner.config.json', JSON.stringify({ retry: { attempts: 1 }, tasks: { twice: { attempts: 4, timeout: '2m' } } }));
    const configured = await cli('help', 'twice');
    expect(configured.stdout).toMatch(/\(default: 3, i\.e\. 4\s+attempts\)/);
    expect(configured.stdout).toContain('Default timeout: 2m (tasks.twice.timeout in the config)\nDefault attempts: 4 (tasks.twice.attempts in the config)');
    const fromRetry = await cli('help', 'hello');
    expect(fromRetry.stdout).toMatch(/\(default: 0, i\.e\. 1\s+attempt\)/);
    expect(fromRetry.stdout).toContain('Default attempts: 1 (retry.attempts in the config)');
  });

  it('gives a task named like a command the usage that runs it, runner run <name>', async () => {
    writeFile(home, 'tasks/status.ts', `import { Task } from 'taskrunner';
export default class Status extends Task { name = 'status'; description = 'a task named like a command'; async run() { return { success: true }; } }
`);
    expect((await cli('help', 'status')).stdout).toMatch(/^Usage: runner run status \[options\]/);
    expect((await cli('help', 'batch')).stdout).toMatch(/^Usage: runner run batch \[options\] \[count\]/);
    expect((await cli('help', 'hello')).stdout).toMatch(/^Usage: runner hello \[options\]/);
  });

  it('names a task file with a syntax error once in the error', async () => {
    const file = writeFile(home, 'tasks/broken.ts', `export const x: = 1;\n`);
    const result = await cli('broken');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: cannot load \S+broken\.ts: Unexpected token/);
    expect(result.stderr.split(file)).toHaveLength(2);
    const listed = await cli('list');
    expect(listed.stdout.split('broken.ts')).toHaveLength(3);
  });

  it('exits 1 with "Did you mean" for an unknown task', async () => {
    const result = await cli('helo');
    expect(result.code).toBe(1);
    // `runner <word>` may name a command as well: both are suggested.
    expect(result.stderr).toContain('unknown command or task "helo". Did you mean "hello" or "help"?');
  });

  it('refuses a task name outside [a-z0-9_-]+', async () => {
    const result = await cli('../hello');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('invalid task name "../hello"');
  });

  it('refuses a group-writable task file, naming it', async () => {
    writeFile(home, 'tasks/open.ts', HELLO.replace("name = 'hello'", "name = 'open'"));
    const { chmodSync } = await import('node:fs');
    chmodSync(path.join(home, 'tasks/open.ts'), 0o664);
    const result = await cli('open');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`refusing to load task file ${path.join(home, 'tasks/open.ts')}: writable by group`);
    expect(readFileSync(path.join(home, 'tasks/open.ts'), 'utf8')).toContain("name = 'open'");
  });

  it("runs a task that uses the home's #imports, with no taskrunner in the home's node_modules", async () => {
    writeFile(home, 'package.json', JSON.stringify({ name: 'agent-home', private: true, imports: { '#greet': './tasks/lib/greet.js' } }));
    writeFile(home, 'tasks/lib/greet.ts', `export const greet = (who: string): string => \`hi \${who}\`;\n`);
    writeFile(home, 'tasks/hash.ts', `import { Task } from 'taskrunner';\nimport { greet } from '#greet';\nexport default class extends Task { name = 'hash'; description = 'uses #imports'; async run() { return { success: true, message: greet('Ada') }; } }\n`);
    const result = await cli('hash', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ task: 'hash', success: true, message: 'hi Ada' });
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a .cjs helper owned by another user and writable by all, naming it', async () => {
    const helper = writeFile(home, 'tasks/lib/evil.cjs', `require('node:fs').writeFileSync(${JSON.stringify(path.join(home, 'pwned'))}, 'x');\nmodule.exports = 'evil';\n`);
    chownSync(helper, 65534, 65534);
    chmodSync(helper, 0o666);
    writeFile(home, 'tasks/uses_evil.ts', `import { Task } from 'taskrunner';\nimport evil from './lib/evil.cjs';\nexport default class extends Task { name = 'uses_evil'; description = String(evil); async run() { return { success: true }; } }\n`);
    const result = await cli('uses_evil');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`refusing to load helper ${helper}: owned by uid 65534`);
    expect(statSync(path.join(home, 'pwned'), { throwIfNoEntry: false })).toBeUndefined();
  });

  describe('a task file whose top-level await never settles', () => {
    beforeEach(() => {
      writeFile(home, 'tasks/hang.ts', `await new Promise(() => {});\nexport const never = 1;\n`);
    });
    const reason = 'its top-level code never finished: an await that never settles';

    it('is listed as broken by runner list, hiding no other task', async () => {
      const result = await cli('list', '--json');
      expect(result.code, result.stderr).toBe(0);
      const listed = JSON.parse(result.stdout) as { tasks: { name: string }[]; broken: { file: string; reason: string }[] };
      expect(listed.tasks.map((task) => task.name)).toContain('hello');
      expect(listed.broken).toEqual([{ file: path.join(home, 'tasks/hang.ts'), reason: expect.stringContaining(reason) }]);
    });

    it('fails runner test-all, runner <typo> and running it', async () => {
      const testAll = await cli('test-all');
      expect(testAll.code).toBe(1);
      expect(testAll.stdout).toContain(reason);
      const typo = await cli('helo');
      expect(typo.code).toBe(1);
      expect(typo.stderr).toContain('Did you mean "hello" or "help"?');
      const own = await cli('hang');
      expect(own.code).toBe(1);
      expect(own.stderr).toContain(reason);
    });
  });
});

