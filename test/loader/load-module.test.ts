import { chmodSync } from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadTaskModule } from '../../src/loader/load-module.js';
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

/** Node strips TypeScript itself (Node 24); elsewhere (Node 20) the task hooks compile it. */
const stripsTypes = 'registerHooks' in Module && Boolean((process.features as { typescript?: unknown }).typescript);

let home: string;

beforeEach(() => {
  home = makeHome().home;
});

describe('loadTaskModule', () => {
  it('loads a TypeScript task file without a build step', async () => {
    const file = writeFile(home, 'tasks/hello.ts', TASK('hello'));
    const { exports, files } = await loadTaskModule(file);
    expect(isTaskClass(exports.default)).toBe(true);
    expect(files).toEqual([file]);
  });

  it('loads a plain .mjs task whose taskrunner import resolves without a node_modules', async () => {
    const file = writeFile(
      home,
      'tasks/plain.mjs',
      `import { Task } from 'taskrunner';\nexport class Plain extends Task { name = 'plain'; description = ''; async run() { return { success: true }; } }\n`,
    );
    const { exports } = await loadTaskModule(file);
    expect(isTaskClass(exports.Plain)).toBe(true);
  });

  it.runIf(stripsTypes)('refuses TypeScript that cannot be erased, naming the file, the line and the construct', async () => {
    const cases = {
      'enum.ts': [`const a: number = 1;\nenum Colour { Red = 'red' }\nexport const value = Colour.Red + a;\n`, 'enum', 2],
      'namespace.ts': [`export namespace Util { export const x = 1; }\n`, 'namespace', 1],
      'parameter.ts': [`export class A {\n  constructor(private readonly x: number) {}\n}\n`, 'parameter property', 2],
      'require.ts': [`import path = require('node:path');\nexport const value = path.sep;\n`, 'import equals', 1],
    } as const;
    for (const [name, [source, construct, line]] of Object.entries(cases)) {
      const file = writeFile(home, `tasks/${name}`, source);
      const error = await rejection(loadTaskModule(file));
      expect(error.code).toBe('runner.taskLoad');
      expect(error.message).toContain(`cannot load ${file}: TypeScript ${construct}`);
      expect(error.message).toContain(`(line ${line})`);
      expect(error.message).toContain('docs/writing-tasks.md');
    }
  });

  it.runIf(stripsTypes)('names the helper that holds TypeScript that cannot be erased', async () => {
    const helper = writeFile(home, 'tasks/lib/colour.ts', `export enum Colour { Red = 'red' }\n`);
    const file = writeFile(home, 'tasks/paint.ts', `import { Colour } from './lib/colour.js';\nexport const value = Colour.Red;\n`);
    const error = await rejection(loadTaskModule(file));
    expect(error.message).toContain(`cannot load ${file}: TypeScript enum`);
    expect(error.message).toContain(`(${helper}:1)`);
  });

  it.skipIf(stripsTypes)('compiles enums and the like on a Node that does not strip types', async () => {
    const file = writeFile(home, 'tasks/legacy.ts', `import path = require('node:path');\nenum Colour { Red = 'red' }\nexport const value: string = path.join('a', Colour.Red);\n`);
    expect((await loadTaskModule(file)).exports.value).toBe(path.join('a', 'red'));
  });

  it('answers import.meta for the original file, not the cached copy', async () => {
    const file = writeFile(
      home,
      'tasks/meta.ts',
      `export const url: string = import.meta.url;\nexport const dir: string = import.meta.dirname;\nexport const sibling = import.meta.resolve('./data.json');\n`,
    );
    const { exports } = await loadTaskModule(file);
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
    const { exports, files } = await loadTaskModule(file);
    expect(exports.value).toBe('AWORDother');
    expect(new Set(files)).toEqual(
      new Set([file, ...['util', 'words', 'other'].map((name) => path.join(home, `tasks/lib/${name}.ts`))]),
    );
  });

  it('loads a task file afresh once it or a helper has changed, in the same process', async () => {
    writeFile(home, 'tasks/lib/n.ts', `export const n = 1;\n`);
    const file = writeFile(home, 'tasks/importer.ts', `export { n } from './lib/n.ts';\n`);
    expect((await loadTaskModule(file)).exports.n).toBe(1);
    writeFile(home, 'tasks/lib/n.ts', `export const n = 2;\n`);
    const changed = await loadTaskModule(file);
    expect(changed.exports.n).toBe(2);
    // Unchanged: the module already loaded.
    expect((await loadTaskModule(file)).exports).toBe(changed.exports);

    const broken = writeFile(home, 'tasks/broken-then-fixed.ts', `export const x: = 1;\n`);
    expect((await rejection(loadTaskModule(broken))).code).toBe('runner.taskLoad');
    writeFile(home, 'tasks/broken-then-fixed.ts', `export const x: number = 1;\n`);
    expect((await loadTaskModule(broken)).exports.x).toBe(1);
  });

  it('loads modules that import each other in a cycle', async () => {
    writeFile(home, 'tasks/b.ts', `import { a } from './a.ts';\nexport const b = () => 'b' + a.length;\n`);
    const file = writeFile(home, 'tasks/a.ts', `import { b } from './b.ts';\nexport const a = 'aa';\nexport const both = () => b();\n`);
    const { exports } = await loadTaskModule(file);
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
    const { exports } = await loadTaskModule(file);
    expect(exports.value).toEqual(['esm', 'extra', true, 'function']);
  });

  it('refuses a group-writable task file and says why', async () => {
    const file = writeFile(home, 'tasks/unsafe.ts', TASK('unsafe'));
    chmodSync(file, 0o664);
    const error = await rejection(loadTaskModule(file));
    expect(error.code).toBe('runner.unsafeFile');
    expect(error.message).toContain(file);
    expect(error.message).toContain('writable by group');
  });

  it('refuses a world-writable helper of a task', async () => {
    const helper = writeFile(home, 'tasks/lib/open.ts', `export const o = 1;\n`);
    chmodSync(helper, 0o646);
    const file = writeFile(home, 'tasks/safe.ts', `export { o } from './lib/open.ts';\n`);
    const error = await rejection(loadTaskModule(file));
    expect(error.code).toBe('runner.unsafeFile');
    expect(error.message).toContain(helper);
  });

  it('names the file and the position of a syntax error', async () => {
    const file = writeFile(home, 'tasks/bad.ts', `export const x: number = ;\n`);
    const error = await rejection(loadTaskModule(file));
    expect(error.code).toBe('runner.taskLoad');
    expect(error.message).toContain(file);
    expect(error.message).toMatch(/\(line 1\)/);
  });

  it('names the importing file of an import that cannot be found', async () => {
    const file = writeFile(home, 'tasks/missing.ts', `import { x } from './nowhere.ts';\nimport y from 'no-such-package';\nexport default [x, y];\n`);
    const error = await rejection(loadTaskModule(file));
    expect(error.message).toMatch(/"\.\/nowhere\.ts" imported by .*missing\.ts/);
  });

  it('reports an error thrown while the module is evaluated', async () => {
    const file = writeFile(home, 'tasks/throws.ts', `throw new Error('boom at load');\n`);
    const error = await rejection(loadTaskModule(file));
    expect(error.code).toBe('runner.taskLoad');
    expect(error.message).toContain('boom at load');
    expect(error.message).toContain(file);
  });

  it("resolves #imports from the home's package.json, to a TypeScript helper written as .js", async () => {
    writeFile(home, 'package.json', JSON.stringify({ name: 'my-home', imports: { '#util': './tasks/lib/util.js', '#lib/*': './tasks/lib/*' } }));
    writeFile(home, 'tasks/lib/util.ts', `export const twice = (n: number): number => n * 2;\n`);
    writeFile(home, 'tasks/lib/more.ts', `export const more: string = 'more';\n`);
    const file = writeFile(home, 'tasks/hash.ts', `import { twice } from '#util';\nimport { more } from '#lib/more.js';\nexport const value = [twice(21), more];\n`);
    const { exports, files } = await loadTaskModule(file);
    expect(exports.value).toEqual([42, 'more']);
    expect(files).toContain(path.join(home, 'tasks/lib/util.ts'));
  });

  it('follows a package exports map with conditions and subpath patterns, and the package own #imports', async () => {
    writeFile(
      home,
      'node_modules/mapped/package.json',
      JSON.stringify({
        name: 'mapped',
        type: 'module',
        exports: { '.': { require: './no.cjs', node: { import: './main.js' } }, './feature/*': './lib/*.js', './hidden': null },
        imports: { '#inner': './lib/inner.js' },
      }),
    );
    writeFile(home, 'node_modules/mapped/main.js', `import { inner } from '#inner';\nexport const main = 'main+' + inner;\n`);
    writeFile(home, 'node_modules/mapped/lib/inner.js', `export const inner = 'inner';\n`);
    writeFile(home, 'node_modules/mapped/lib/x.js', `export const x = 'x';\n`);
    const file = writeFile(home, 'tasks/mapped.ts', `import { main } from 'mapped';\nimport { x } from 'mapped/feature/x';\nexport const value = [main, x];\n`);
    expect((await loadTaskModule(file)).exports.value).toEqual(['main+inner', 'x']);

    const hidden = writeFile(home, 'tasks/hidden.ts', `import 'mapped/hidden';\n`);
    expect((await rejection(loadTaskModule(hidden))).message).toMatch(/"mapped\/hidden" imported by .*hidden\.ts/);
  });

  it('maps .mjs to an .mts helper and .cjs to a .cts helper', async () => {
    writeFile(home, 'tasks/lib/m.mts', `export const m: string = 'mts';\n`);
    writeFile(home, 'tasks/lib/c.cts', `const path: typeof import('node:path') = require('node:path');\nconst here: string = path.basename(__filename);\nmodule.exports = { c: 'cts', here };\n`);
    const file = writeFile(home, 'tasks/twins.ts', `import { m } from './lib/m.mjs';\nimport c from './lib/c.cjs';\nexport const value = [m, c.c, c.here];\n`);
    expect((await loadTaskModule(file)).exports.value).toEqual(['mts', 'cts', 'c.cts']);
  });

  it("gives a CommonJS TypeScript helper's require('taskrunner') the runner's own library", async () => {
    writeFile(home, 'tasks/lib/base.cts', `const { Task } = require('taskrunner') as typeof import('taskrunner');\nclass Base extends Task { greet(): string { return 'hi'; } }\nmodule.exports = { Base };\n`);
    const file = writeFile(home, 'tasks/uses-base.ts', `import lib from './lib/base.cjs';\nexport const Base = lib.Base;\n`);
    expect(isTaskClass((await loadTaskModule(file)).exports.Base)).toBe(true);
  });

  it('imports JSON and CommonJS helpers where they are', async () => {
    writeFile(home, 'tasks/lib/data.json', `{ "answer": 42 }\n`);
    writeFile(home, 'tasks/lib/common.cjs', `const data = require('./data.json');\nexports.answer = data.answer + 1;\n`);
    const file = writeFile(
      home,
      'tasks/json.ts',
      `import data from './lib/data.json' with { type: 'json' };\nimport common from './lib/common.cjs';\nexport const value = [data.answer, common.answer];\n`,
    );
    expect((await loadTaskModule(file)).exports.value).toEqual([42, 43]);
  });

  it('keeps top-level await and resolves import.meta.resolve from the original file', async () => {
    writeFile(home, 'package.json', JSON.stringify({ name: 'my-home', imports: { '#data': './tasks/data.json' } }));
    const file = writeFile(
      home,
      'tasks/tla.ts',
      `const { join } = await import('node:path');\nexport const value: string = join('a', 'b');\nexport const data = import.meta.resolve('#data');\nexport const lib = import.meta.resolve('taskrunner');\n`,
    );
    const { exports } = await loadTaskModule(file);
    expect(exports.value).toBe(path.join('a', 'b'));
    expect(exports.data).toBe(pathToFileURL(path.join(home, 'tasks/data.json')).href);
    expect(exports.lib).toMatch(/\/dist\/index\.mjs$/);
  });

  for (const [helper, importer] of [
    ['tasks/lib/open.cjs', `import o from './lib/open.cjs';\nexport default o;\n`],
    ['tasks/lib/open.mjs', `export * from './lib/open.mjs';\n`],
    ['tasks/lib/open.json', `import o from './lib/open.json' with { type: 'json' };\nexport default o;\n`],
    ['package.json', `import o from '#open';\nexport default o;\n`],
  ] as const) {
    it(`refuses a world-writable ${path.basename(helper)} that a task file needs, naming it`, async () => {
      writeFile(home, 'tasks/lib/target.mjs', `export default 1;\n`);
      const file = writeFile(home, helper, helper === 'package.json' ? JSON.stringify({ imports: { '#open': './tasks/lib/target.mjs' } }) : helper.endsWith('.json') ? '{}' : helper.endsWith('.cjs') ? 'module.exports = 1;\n' : 'export const o = 1;\n');
      chmodSync(file, 0o666);
      const error = await rejection(loadTaskModule(writeFile(home, 'tasks/uses-open.ts', importer)));
      expect(error.code).toBe('runner.unsafeFile');
      expect(error.message).toContain(file);
      expect(error.message).toContain('writable by group and others');
    });
  }

  it('refuses a world-writable file that a CommonJS helper requires', async () => {
    const inner = writeFile(home, 'tasks/lib/inner.cjs', `module.exports = 'inner';\n`);
    chmodSync(inner, 0o646);
    writeFile(home, 'tasks/lib/outer.cjs', `module.exports = require('./inner.cjs');\n`);
    const file = writeFile(home, 'tasks/outer.ts', `import outer from './lib/outer.cjs';\nexport default outer;\n`);
    const error = await rejection(loadTaskModule(file));
    expect(error.code).toBe('runner.unsafeFile');
    expect(error.message).toContain(inner);
  });

  it('refuses a helper in a folder that others can write to', async () => {
    const dir = path.join(home, 'tasks/shared');
    const helper = writeFile(home, 'tasks/shared/h.cjs', `module.exports = 1;\n`);
    chmodSync(dir, 0o777);
    const file = writeFile(home, 'tasks/uses-shared.ts', `import h from './shared/h.cjs';\nexport default h;\n`);
    const error = await rejection(loadTaskModule(file));
    expect(error.message).toContain(helper);
    expect(error.message).toContain('its folder is writable by group and others');
  });

  it('loads graphs with top-level await, import.meta, import() and ES module packages', async () => {
    writeFile(home, 'node_modules/esm-only/package.json', JSON.stringify({ name: 'esm-only', type: 'module', exports: './index.js' }));
    writeFile(home, 'node_modules/esm-only/index.js', `export const esm = true;\n`);
    writeFile(home, 'tasks/lib/waits.ts', `export const waited: number = await Promise.resolve(7);\n`);
    const cases = {
      'tla.ts': `export const value = await Promise.resolve(1);\n`,
      'helper-tla.ts': `import { waited } from './lib/waits.ts';\nexport const value = waited;\n`,
      'meta.ts': `export const value = import.meta.url.length > 0;\n`,
      'dynamic.ts': `export const value = () => import('node:path');\n`,
      'package.ts': `import { esm } from 'esm-only';\nexport const value = esm;\n`,
    };
    for (const [name, source] of Object.entries(cases)) {
      const loaded = await loadTaskModule(writeFile(home, `tasks/${name}`, source));
      expect([name, loaded.exports.value]).toEqual([name, expect.anything()]);
    }
  });

  it('names the original file, at the right line, in the stack of an error thrown while loading', async () => {
    const file = writeFile(home, 'tasks/throws-at-line.ts', `import { join } from 'node:path';\nconst x: number = 1;\n\nthrow new Error('boom ' + join('a', String(x)));\n`);
    const error = await rejection(loadTaskModule(file));
    expect(error.message).toContain(`boom ${path.join('a', '1')}`);
    const cause = (error as { cause?: Error }).cause;
    expect(cause?.stack).toContain(`${file}:4:`);
  });
});
