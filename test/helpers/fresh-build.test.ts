import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { staleBuildProblem } from './fresh-build.js';

/** A checkout with a source file, a build script and (unless `built` is false) a dist/cli.js. */
function checkout(built = true): { root: string; age(file: string, secondsAgo: number): void } {
  const root = mkdtempSync(path.join(tmpdir(), 'taskrunner-fresh-build-'));
  const write = (file: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), 'x');
  };
  for (const file of ['src/core/task.ts', 'src/dashboard/assets/app.js', 'scripts/build.mjs', 'package.json']) write(file);
  if (built) write('dist/cli.js');
  const now = Date.now() / 1000;
  const age = (file: string, secondsAgo: number) => utimesSync(path.join(root, file), now - secondsAgo, now - secondsAgo);
  for (const file of ['src/core/task.ts', 'src/dashboard/assets/app.js', 'scripts/build.mjs', 'package.json']) age(file, 100);
  if (built) age('dist/cli.js', 50);
  return { root, age };
}

describe('staleBuildProblem', () => {
  it('is undefined when dist/cli.js was built after every source', () => {
    expect(staleBuildProblem(checkout().root)).toBeUndefined();
  });

  it('names the source, however deep, that changed after the build', () => {
    const { root, age } = checkout();
    age('src/dashboard/assets/app.js', 10);
    expect(staleBuildProblem(root)).toBe('dist/ is older than src/ — run npm run build (src/dashboard/assets/app.js changed after dist/cli.js was built)');
  });

  it('counts the build script and package.json as sources', () => {
    for (const file of ['scripts/build.mjs', 'package.json']) {
      const { root, age } = checkout();
      age(file, 10);
      expect(staleBuildProblem(root)).toMatch(new RegExp(`^dist/ is older than src/ — run npm run build \\(${file} changed`));
    }
  });

  it('says when there is no build at all', () => {
    expect(staleBuildProblem(checkout(false).root)).toBe('dist/cli.js is missing — run npm run build');
  });
});
