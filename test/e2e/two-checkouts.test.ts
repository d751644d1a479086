import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, REPO_ROOT, runCli, writeFile } from '../helpers/cli.js';

// Two installs of the same build on one machine (two clones, a clone and a global install) share
// the user's caches: the V8 code cache and Node's compile cache. A task's
// trace must name the checkout that ran it, and so must the library its `import 'taskrunner'` got.

/**
 * A task that throws a NonRetryableError naming where the library's own code runs from: the
 * frame of `isTaskClass` (called on a value whose every property read throws) in the trace.
 */
const probeTask = (name: string, extra = '') => `import { isTaskClass, NonRetryableError, Task } from 'taskrunner';
${extra}
export default class Probe extends Task {
  name = '${name}';
  async run(): Promise<never> {
    const touchy = new Proxy(function () {}, { get: () => { throw new Error('probe'); } });
    let trace = '';
    try {
      isTaskClass(touchy);
    } catch (error) {
      trace = (error as Error).stack ?? '';
    }
    const frame = trace.split('\\n').find((line) => line.includes('isTaskClass')) ?? 'no isTaskClass frame';
    throw new NonRetryableError(\`library \${frame.trim()}\`);
  }
}
`;

let root: string;
let checkouts: string[];
let home: string;
let workspace: string;
let env: Record<string, string>;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'taskrunner-checkouts-'));
  checkouts = ['first', 'second'].map((name) => {
    const dir = path.join(root, name);
    cpSync(path.join(REPO_ROOT, 'dist'), path.join(dir, 'dist'), { recursive: true });
    cpSync(path.join(REPO_ROOT, 'package.json'), path.join(dir, 'package.json'));
    // The libraries the bundle leaves to node_modules (pino, the distributed backend's).
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    return dir;
  });
  ({ home, workspace } = makeHome());
  writeFile(home, 'tasks/probe_cjs.ts', probeTask('probe_cjs'));
  // import.meta: an ES module whatever Node decides for the other, with dist/index.mjs as its taskrunner.
  writeFile(home, 'tasks/probe_esm.ts', probeTask('probe_esm', 'export const here = import.meta.url;'));
  // One user, one cache folder for both checkouts.
  env = { XDG_CACHE_HOME: path.join(root, 'cache') };
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

const run = (checkout: string, task: string) =>
  runCli(['run', task, '--verbose', '--home', home, '--workspace', workspace], { env, cli: path.join(checkout, 'dist', 'cli.js') });

/** The bundle files a run's output names (its trace, the library frame of the task's error). */
function bundlesNamed(output: string): Set<string> {
  return new Set([...output.matchAll(/(\/[^\s"():]+\/dist\/runner\.cjs):\d+/g)].map((match) => match[1]!));
}

const v8Entries = () => readdirSync(path.join(env.XDG_CACHE_HOME!, 'taskrunner', 'v8')).filter((name) => name.endsWith('.bin'));

describe('two checkouts of one build sharing a cache', () => {
  it("each run's trace and its task's library name the checkout that ran it, and both stay cached", async () => {
    for (const round of [1, 2]) {
      for (const checkout of checkouts) {
        for (const task of ['probe_cjs', 'probe_esm']) {
          const result = await run(checkout, task);
          expect(result.code, result.stderr).toBe(1);
          expect(result.stderr).toContain(`${task} failed: library at isTaskClass (${checkout}/dist/runner.cjs:`);
          expect(result.stderr).toMatch(/at runTask \(/);
          expect([...bundlesNamed(result.stderr)], `round ${round}`).toEqual([path.join(checkout, 'dist', 'runner.cjs')]);
        }
      }
    }
    // One code cache entry per checkout; runs in turn hit them rather than rewriting each other's.
    const entries = v8Entries();
    expect(entries).toHaveLength(2);
    const written = entries.map((name) => statSync(path.join(env.XDG_CACHE_HOME!, 'taskrunner', 'v8', name)).ino);
    for (const checkout of checkouts) expect((await run(checkout, 'probe_cjs')).code).toBe(1);
    expect(v8Entries().map((name) => statSync(path.join(env.XDG_CACHE_HOME!, 'taskrunner', 'v8', name)).ino)).toEqual(written);
  });
});
