import { chmodSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadTaskModule } from '../../src/core/load-module.js';
import { resolveExports } from '../../src/core/resolve-import.js';
import { isTaskClass } from '../../src/index.js';
import { makeHome, writeFile } from '../helpers/cli.js';
import { rejection } from '../helpers/rejection.js';

const TASK = (name: string, body = `return { success: true, message: '${name}' };`) => `
import { Task, type TaskContext } from 'taskrunner';
export default class T extends Task {
  name = '${name}';
  description = 'task ${name}';
  private readonly count: number = 1;
  async run(_ctx: TaskContext) { ${body} }
}
`;

let home: string;
let cacheDir: string;

beforeEach(() => {
  home = makeHome().home;
  cacheDir = mkdtempSync(path.join(tmpdir(), 'taskrunner-cache-test-'));
});

function cacheSnapshot(): Map<string, number> {
  return new Map(readdirSync(cacheDir).map((name) => [name, statSync(path.join(cacheDir, name)).mtimeMs]));
}

describe('loadTaskModule', () => {
  it('loads a TypeScript task file without a build step', async () => {
    const file = writeFile(home, 'tasks/hello.ts', TASK('hello'));
    const { exports, files } = await loadTaskModule(file, { cacheDir });
    expect(isTaskClass(exports.default)).toBe(true);
    expect(files).toEqual([file]);
  });

  it('loads a plain .mjs task whose taskrunner import resolves without a node_modules', async () => {
    const file = writeFile(
      home,
      'tasks/plain.mjs',
      `import { Task } from 'taskrunner';\nexport class Plain extends Task { name = 'plain'; description = ''; async run() { return { success: true }; } }\n`,
    );
    const { exports } = await loadTaskModule(file, { cacheDir });
    expect(isTaskClass(exports.Plain)).toBe(true);
  });

  it("supports TypeScript's import-equals require and enums", async () => {
    const file = writeFile(
      home,
      'tasks/legacy.ts',
      `import path = require('node:path');\nenum Colour { Red = 'red' }\nexport const value: string = path.join('a', Colour.Red);\n`,
    );
    expect((await loadTaskModule(file, { cacheDir })).exports.value).toBe(path.join('a', 'red'));
  });

  it('answers import.meta for the original file, not the cached copy', async () => {
    const file = writeFile(
      home,
      'tasks/meta.ts',
      `export const url: string = import.meta.url;\nexport const dir: string = import.meta.dirname;\nexport const sibling = import.meta.resolve('./data.json');\n`,
    );
    const { exports } = await loadTaskModule(file, { cacheDir });
    expect(exports.url).toBe(pathToFileURL(file).href);
    expect(exports.dir).toBe(path.dirname(file));
    expect(exports.sibling).toBe(pathToFileURL(path.join(home, 'tasks/data.json')).href);
  });

  it('follows relative imports of TypeScript helpers, written as .js, .ts or without extension', async () => {
    writeFile(home, 'tasks/lib/words.ts', `export const WORD: string = 'word';\n`);
    writeFile(home, 'tasks/lib/util.ts', `import { WORD } from './words';\nexport function shout(s: string): string { return (s + WORD).toUpperCase(); }\n`);
    writeFile(home, 'tasks/lib/other.ts', `export const OTHER = 'other' as const;\n`);
    const file = writeFile(
      home,
      'tasks/uses.ts',
      `import { shout } from './lib/util.js';\nimport { OTHER } from './lib/other.ts';\nexport const value = shout('a') + OTHER;\n`,
    );
    const { exports, files } = await loadTaskModule(file, { cacheDir });
    expect(exports.value).toBe('AWORDother');
    expect(new Set(files)).toEqual(
      new Set([file, ...['util', 'words', 'other'].map((name) => path.join(home, `tasks/lib/${name}.ts`))]),
    );
  });

  it('gives importers a new compiled module when a helper changes', async () => {
    const helper = writeFile(home, 'tasks/lib/n.ts', `export const n = 1;\n`);
    const file = writeFile(home, 'tasks/importer.ts', `export { n } from './lib/n.ts';\n`);
    expect((await loadTaskModule(file, { cacheDir })).exports.n).toBe(1);
    writeFile(home, 'tasks/lib/n.ts', `export const n = 2;\n`);
    expect(helper).toBeTruthy();
    expect((await loadTaskModule(file, { cacheDir })).exports.n).toBe(2);
  });

  it('loads modules that import each other in a cycle', async () => {
    writeFile(home, 'tasks/b.ts', `import { a } from './a.ts';\nexport const b = () => 'b' + a.length;\n`);
    const file = writeFile(home, 'tasks/a.ts', `import { b } from './b.ts';\nexport const a = 'aa';\nexport const both = () => b();\n`);
    const { exports } = await loadTaskModule(file, { cacheDir });
    expect((exports.both as () => string)()).toBe('b2');
  });

  it("resolves packages from the task file's own node_modules, preferring their ESM entry", async () => {
    writeFile(
      home,
      'node_modules/fake-pkg/package.json',
      JSON.stringify({ name: 'fake-pkg', exports: { '.': { import: './esm.mjs', require: './cjs.cjs' }, './extra': './extra.mjs' } }),
    );
    writeFile(home, 'node_modules/fake-pkg/esm.mjs', `export const flavour = 'esm';\n`);
    writeFile(home, 'node_modules/fake-pkg/cjs.cjs', `exports.flavour = 'cjs';\n`);
    writeFile(home, 'node_modules/fake-pkg/extra.mjs', `export const extra = 'extra';\n`);
    writeFile(home, 'node_modules/legacy-pkg/package.json', JSON.stringify({ name: 'legacy-pkg', main: 'lib/main.js' }));
    writeFile(home, 'node_modules/legacy-pkg/lib/main.js', `module.exports = { legacy: true };\n`);
    const file = writeFile(
      home,
      'tasks/pkg.ts',
      `import { flavour } from 'fake-pkg';\nimport { extra } from 'fake-pkg/extra';\nimport legacy from 'legacy-pkg';\nimport { join } from 'node:path';\nexport const value = [flavour, extra, (legacy as { legacy: boolean }).legacy, typeof join];\n`,
    );
    const { exports } = await loadTaskModule(file, { cacheDir });
    expect(exports.value).toEqual(['esm', 'extra', true, 'function']);
  });

  it('does not transpile again when nothing changed', async () => {
    writeFile(home, 'tasks/lib/h.ts', `export const h: number = 1;\n`);
    const file = writeFile(home, 'tasks/cached.ts', `import { h } from './lib/h.ts';\nexport const value: number = h;\n`);
    await loadTaskModule(file, { cacheDir });
    const first = cacheSnapshot();
    // Two sources, each with a transpiled form and a linked module.
    expect([...first.keys()].filter((name) => name.endsWith('.mjs'))).toHaveLength(2);
    expect([...first.keys()].filter((name) => name.endsWith('.json'))).toHaveLength(2);
    await loadTaskModule(file, { cacheDir });
    expect(cacheSnapshot()).toEqual(first);
  });

  it('creates the cache folder private to its owner', async () => {
    const nested = path.join(cacheDir, 'deeper', 'taskrunner');
    await loadTaskModule(writeFile(home, 'tasks/x.ts', `export const x = 1;\n`), { cacheDir: nested });
    expect(statSync(nested).mode & 0o777).toBe(0o700);
  });

  it('refuses a group-writable task file and says why', async () => {
    const file = writeFile(home, 'tasks/unsafe.ts', TASK('unsafe'));
    chmodSync(file, 0o664);
    const error = await rejection(loadTaskModule(file, { cacheDir }));
    expect(error.code).toBe('runner.unsafeFile');
    expect(error.message).toContain(file);
    expect(error.message).toContain('writable by group');
  });

  it('refuses a world-writable helper of a task', async () => {
    const helper = writeFile(home, 'tasks/lib/open.ts', `export const o = 1;\n`);
    chmodSync(helper, 0o646);
    const file = writeFile(home, 'tasks/safe.ts', `export { o } from './lib/open.ts';\n`);
    const error = await rejection(loadTaskModule(file, { cacheDir }));
    expect(error.code).toBe('runner.unsafeFile');
    expect(error.message).toContain(helper);
  });

  it('names the file and the position of a syntax error', async () => {
    const file = writeFile(home, 'tasks/bad.ts', `export const x: number = ;\n`);
    const error = await rejection(loadTaskModule(file, { cacheDir }));
    expect(error.code).toBe('runner.taskLoad');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/1:\d+/);
  });

  it('names the importing file of an import that cannot be found', async () => {
    const file = writeFile(home, 'tasks/missing.ts', `import { x } from './nowhere.ts';\nimport y from 'no-such-package';\nexport default [x, y];\n`);
    const error = await rejection(loadTaskModule(file, { cacheDir }));
    expect(error.message).toMatch(/"\.\/nowhere\.ts" imported by .*missing\.ts/);
  });

  it('reports an error thrown while the module is evaluated', async () => {
    const file = writeFile(home, 'tasks/throws.ts', `throw new Error('boom at load');\n`);
    const error = await rejection(loadTaskModule(file, { cacheDir }));
    expect(error.code).toBe('runner.taskLoad');
    expect(error.message).toContain('boom at load');
    expect(error.message).toContain(file);
  });
});

describe('resolveExports', () => {
  it('follows conditions in order, subpaths and patterns', () => {
    expect(resolveExports('./main.js', '.')).toBe('./main.js');
    expect(resolveExports({ require: './c.cjs', import: './e.mjs' }, '.')).toBe('./e.mjs');
    expect(resolveExports({ '.': [{ browser: './b.js' }, { default: './d.js' }] }, '.')).toBe('./d.js');
    expect(resolveExports({ './feature/*': { node: './lib/*.js' } }, './feature/x')).toBe('./lib/x.js');
    expect(resolveExports({ '.': './a.js' }, './missing')).toBeUndefined();
    expect(resolveExports({ '.': { require: './c.cjs' } }, '.')).toBeUndefined();
  });
});
