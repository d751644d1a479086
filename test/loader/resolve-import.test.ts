import { realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { resolve as nodeResolve } from 'import-meta-resolve';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveImport } from '../../src/loader/resolve-import.js';
import { makeHome, writeFile } from '../helpers/cli.js';

let home: string;
let task: string;
const LIBRARY = 'file:///library.mjs';

beforeEach(() => {
  home = realpathSync(makeHome().home);
  task = writeFile(home, 'tasks/t.ts', 'export {};\n');
  writeFile(home, 'tasks/lib/greet.ts', 'export {};\n');
  writeFile(home, 'tasks/lib/index.ts', 'export {};\n');
  writeFile(home, 'tasks/data.json', '{}\n');
  writeFile(home, 'real/helper.ts', 'export {};\n');
  symlinkSync(path.join(home, 'real/helper.ts'), path.join(home, 'tasks/linked.ts'));
});

describe('resolveImport of relative specifiers', () => {
  it("follows a symbolic link to the real file, as Node's resolver does", async () => {
    const expected = { kind: 'compile', file: path.join(home, 'real/helper.ts') };
    expect(await resolveImport('./linked.ts', task, LIBRARY)).toEqual(expected);
    expect(new URL(nodeResolve('./linked.ts', pathToFileURL(task).href)).pathname).toBe(expected.file);
  });

  it('finds the TypeScript twin of a .js specifier, and the index of a folder', async () => {
    expect(await resolveImport('./lib/greet.js', task, LIBRARY)).toEqual({ kind: 'compile', file: path.join(home, 'tasks/lib/greet.ts') });
    expect(await resolveImport('./lib', task, LIBRARY)).toEqual({ kind: 'compile', file: path.join(home, 'tasks/lib/index.ts') });
    expect(await resolveImport('../tasks/lib/greet', task, LIBRARY)).toEqual({ kind: 'compile', file: path.join(home, 'tasks/lib/greet.ts') });
  });

  it('imports a JSON file where it is', async () => {
    const file = path.join(home, 'tasks/data.json');
    expect(await resolveImport('./data.json', task, LIBRARY)).toEqual({ kind: 'url', url: pathToFileURL(file).href, file });
  });

  it('names the importing file of a helper that is not there', async () => {
    await expect(resolveImport('./nowhere.js', task, LIBRARY)).rejects.toThrow(/"\.\/nowhere\.js" imported by .*t\.ts/);
  });

  it('leaves an encoded separator to the full resolver, which refuses it', async () => {
    await expect(resolveImport('./lib%2Fgreet.ts', task, LIBRARY)).rejects.toThrow(/lib%2Fgreet/);
  });
});
