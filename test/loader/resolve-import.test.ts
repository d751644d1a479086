import { realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { typeScriptAlternative } from '../../src/loader/resolve-import.js';
import { makeHome, writeFile } from '../helpers/cli.js';

let home: string;
let parent: string;
const notFound = (file: string) => Object.assign(new Error('not found'), { code: 'ERR_MODULE_NOT_FOUND', url: pathToFileURL(file).href });
const url = (relative: string) => pathToFileURL(path.join(home, relative)).href;

beforeEach(() => {
  home = realpathSync(makeHome().home);
  parent = pathToFileURL(writeFile(home, 'tasks/t.ts', 'export {};\n')).href;
  writeFile(home, 'tasks/lib/greet.ts', 'export {};\n');
  writeFile(home, 'tasks/lib/index.ts', 'export {};\n');
  writeFile(home, 'tasks/lib/m.mts', 'export {};\n');
  writeFile(home, 'real/helper.ts', 'export {};\n');
  symlinkSync(path.join(home, 'real/helper.ts'), path.join(home, 'tasks/linked.ts'));
});

describe('typeScriptAlternative', () => {
  it('finds the TypeScript twin of a .js or .mjs name, from the URL Node looked for', () => {
    expect(typeScriptAlternative('./lib/greet.js', parent, notFound(path.join(home, 'tasks/lib/greet.js')))).toBe(url('tasks/lib/greet.ts'));
    expect(typeScriptAlternative('#m', parent, notFound(path.join(home, 'tasks/lib/m.mjs')))).toBe(url('tasks/lib/m.mts'));
  });

  it('adds an extension, or finds the index of a folder, for a path written without one', () => {
    expect(typeScriptAlternative('./lib/greet', parent, notFound(path.join(home, 'tasks/lib/greet')))).toBe(url('tasks/lib/greet.ts'));
    expect(typeScriptAlternative('./lib', parent, { code: 'ERR_UNSUPPORTED_DIR_IMPORT', url: url('tasks/lib') })).toBe(url('tasks/lib/index.ts'));
  });

  it('works from the specifier for a require(), whose error has no URL', () => {
    expect(typeScriptAlternative('../tasks/lib/greet.js', parent, { code: 'MODULE_NOT_FOUND' })).toBe(url('tasks/lib/greet.ts'));
  });

  it("follows a symbolic link to the real file, as Node's resolver does", () => {
    expect(typeScriptAlternative('./linked', parent, notFound(path.join(home, 'tasks/linked')))).toBe(url('real/helper.ts'));
  });

  it('finds nothing where there is nothing, and adds no extension to a package name', () => {
    expect(typeScriptAlternative('./nowhere.js', parent, notFound(path.join(home, 'tasks/nowhere.js')))).toBeUndefined();
    expect(typeScriptAlternative('greet', parent, { code: 'ERR_MODULE_NOT_FOUND' })).toBeUndefined();
  });
});
