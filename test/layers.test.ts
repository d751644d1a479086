import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, writeFile } from './helpers/cli.js';

const run = promisify(execFile);
const CONFIG = path.join(REPO_ROOT, '.dependency-cruiser.cjs');
const DEPCRUISE = path.join(REPO_ROOT, 'node_modules', '.bin', 'depcruise');
const { LAYERS } = createRequire(import.meta.url)(CONFIG) as { LAYERS: [string, string][] };

/** Every file of src/, relative to the repository (as dependency-cruiser names them). */
function sourceFiles(dir = 'src'): string[] {
  return readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(`${dir}/${entry.name}`) : /\.ts$/.test(entry.name) ? [`${dir}/${entry.name}`] : [],
  );
}

/** Run dependency-cruiser with the project's rule over a src/ tree made of `files`. */
async function cruise(files: Record<string, string>): Promise<{ code: number; output: string }> {
  const root = mkdtempSync(path.join(tmpdir(), 'taskrunner-layers-'));
  roots.push(root);
  cpSync(CONFIG, path.join(root, '.dependency-cruiser.cjs'));
  writeFile(root, 'tsconfig.json', JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true }, include: ['src'] }));
  for (const [file, text] of Object.entries(files)) writeFile(root, file, text);
  try {
    const { stdout } = await run(DEPCRUISE, ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd: root });
    return { code: 0, output: stdout };
  } catch (error) {
    const failed = error as { code: number; stdout: string };
    return { code: failed.code, output: failed.stdout };
  }
}
const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('the layer rule (.dependency-cruiser.cjs)', () => {
  it('puts every module of src/ in exactly one layer', () => {
    const unplaced = sourceFiles().filter((file) => LAYERS.filter(([, pattern]) => new RegExp(pattern).test(file)).length !== 1);
    expect(unplaced).toEqual([]);
  });

  it('counts src/loader/ as the loader layer, above core', () => {
    const layerOf = (file: string) => LAYERS.find(([, pattern]) => new RegExp(pattern).test(file))?.[0];
    expect(layerOf('src/loader/discover.ts')).toBe('loader');
    expect(layerOf('src/core/run-task.ts')).toBe('core');
  });

  it('passes imports down the layers', async () => {
    const result = await cruise({
      'src/store/log.ts': 'export const stamp = () => 1;\n',
      'src/config/settings.ts': "import { stamp } from '../store/log.js';\nexport const settings = stamp;\n",
      'src/core/run.ts': "import { settings } from '../config/settings.js';\nexport const run = settings;\n",
    });
    expect(result.output).toContain('no dependency violations');
    expect(result.code).toBe(0);
  });

  it('fails on an import up a layer, a type-only one too', async () => {
    const result = await cruise({
      'src/shared/time.ts': "import type { Run } from '../core/run.js';\nexport type Later = Run;\n",
      'src/core/run.ts': 'export interface Run { id: string }\n',
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/error layer-shared: src\/shared\/time\.ts → src\/core\/run\.ts/);
  });

  it('fails on a circle, even within a layer', async () => {
    const result = await cruise({
      'src/core/a.ts': "import { b } from './b.js';\nexport const a = () => b();\n",
      'src/core/b.ts': "import { a } from './a.js';\nexport const b = (): number => (a ? 1 : 0);\n",
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/error no-circular/);
  });

  it('fails on a module outside every layer', async () => {
    const result = await cruise({
      'src/store/log.ts': 'export const stamp = () => 1;\n',
      'src/stray/thing.ts': "import { stamp } from '../store/log.js';\nexport const t = stamp;\n",
    });
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/error in-a-layer/);
  });
});
