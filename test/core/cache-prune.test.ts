import { mkdtempSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { pruneModuleCache } from '../../src/core/cache-prune.js';
import { loadTaskModule } from '../../src/loader/load-module.js';
import { makeHome, writeFile } from '../helpers/cli.js';

const DAY = 24 * 60 * 60 * 1000;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'taskrunner-prune-test-'));
});

/** A cache entry of `size` bytes last used `daysAgo` days before `now`. */
function entry(name: string, daysAgo: number, now: number, size = 10): string {
  const file = path.join(dir, name);
  writeFileSync(file, 'x'.repeat(size));
  const when = new Date(now - daysAgo * DAY);
  utimesSync(file, when, when);
  return name;
}

const names = () => readdirSync(dir).filter((name) => name !== '.last-prune').sort();

describe('pruneModuleCache', () => {
  it('removes entries unused for the maximum age and leftover temporary files', async () => {
    const now = Date.now();
    entry('old.mjs', 31, now);
    entry('recent.mjs', 29, now);
    entry('dead.mjs.123.abc.tmp', 0.5, now);
    entry('live.mjs.456.def.tmp', 0, now);
    await pruneModuleCache(dir, { now });
    expect(names()).toEqual(['live.mjs.456.def.tmp', 'recent.mjs']);
  });

  it('removes the least recently used entries while over the size cap, never one used today', async () => {
    const now = Date.now();
    entry('a.mjs', 5, now, 100);
    entry('b.mjs', 3, now, 100);
    entry('c.mjs', 2, now, 100);
    entry('today.mjs', 0, now, 1000);
    await pruneModuleCache(dir, { now, maxBytes: 1150 });
    expect(names()).toEqual(['c.mjs', 'today.mjs']);
    await pruneModuleCache(dir, { now, maxBytes: 10, force: true });
    expect(names()).toEqual(['today.mjs']);
  });

  it('prunes at most once a day', async () => {
    const now = Date.now();
    await pruneModuleCache(dir, { now });
    entry('old.mjs', 40, now);
    expect(await pruneModuleCache(dir, { now: now + DAY / 2 })).toEqual([]);
    expect(names()).toEqual(['old.mjs']);
    expect(await pruneModuleCache(dir, { now: now + DAY + 1 })).toEqual([path.join(dir, 'old.mjs')]);
  });

  it('keeps entries that loading touches, when they were last used long ago', async () => {
    const { home } = makeHome();
    const file = writeFile(home, 'tasks/kept.ts', `export const kept: number = 1;\n`);
    await loadTaskModule(file, { cacheDir: dir });
    const longAgo = new Date(Date.now() - 40 * DAY);
    for (const name of names()) utimesSync(path.join(dir, name), longAgo, longAgo);
    await loadTaskModule(file, { cacheDir: dir });
    expect(await pruneModuleCache(dir, { force: true })).toEqual([]);
    expect(names().length).toBeGreaterThan(0);
  });
});
