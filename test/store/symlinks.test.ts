import { lstatSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { updateStore } from '../../src/memory/store-file.js';
import { updateJsonFile } from '../../src/store/json-file.js';
import { makeHome, runCli, writeFile } from '../helpers/cli.js';

/** A task that adds 1 to the JSON number in `args[0]` (relative to the workspace) `args[1]` times. */
const counter = (name: string) => `
import { Task } from 'taskrunner';
export default class Counter extends Task {
  name = '${name}';
  description = 'Counts';
  async run(ctx) {
    for (let i = 0; i < Number(ctx.args[1]); i++) await ctx.updateJson(ctx.args[0], (n) => (n ?? 0) + 1);
    return { success: true, message: 'counted' };
  }
}
`;

describe('a store reached through a symbolic link', () => {
  it('is locked as its target: processes updating the link and the target lose nothing, and the link stays', async () => {
    const { home, workspace } = makeHome();
    mkdirSync(path.join(workspace, 'data'));
    writeFile(workspace, 'data/counter.json', '0\n');
    symlinkSync('data/counter.json', path.join(workspace, 'counter.json'));
    for (let i = 0; i < 4; i++) writeFile(home, `tasks/counter_${i}.mjs`, counter(`counter_${i}`));
    const runs = Array.from({ length: 4 }, (_, i) =>
      runCli([`counter_${i}`, i % 2 === 0 ? 'counter.json' : 'data/counter.json', '40', '--home', home, '--workspace', workspace, '--retries', '0']),
    );
    const results = await Promise.all(runs);
    expect(results.map((result) => [result.code, result.stderr])).toEqual(Array(4).fill([0, expect.any(String)]));
    expect(readFileSync(path.join(workspace, 'data', 'counter.json'), 'utf8')).toBe('160\n');
    expect(lstatSync(path.join(workspace, 'counter.json')).isSymbolicLink()).toBe(true);
  });

  it('memory/store.json stays a link, its target is updated and backed up beside the target', async () => {
    const { workspace } = makeHome();
    mkdirSync(path.join(workspace, 'elsewhere'));
    writeFile(workspace, 'elsewhere/store.json', '[\n  {\n    "text": "one"\n  }\n]\n');
    const link = path.join(workspace, 'memory', 'store.json');
    symlinkSync('../elsewhere/store.json', link);
    await updateStore(link, () => ({ append: [{ text: 'two' }], result: undefined }), { dryRun: false });
    await updateStore(link, (current) => ({ next: current!.slice(1), result: undefined }), { dryRun: false });
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(link, 'utf8'))).toEqual([{ text: 'two' }]);
    expect(JSON.parse(readFileSync(path.join(workspace, 'elsewhere', 'store.json.bak'), 'utf8'))).toHaveLength(2);
  });

  it('a dangling link gets its target created, not replaced by a file', async () => {
    const { workspace } = makeHome();
    const link = path.join(workspace, 'state.json');
    symlinkSync('sub/state.json', link);
    await updateJsonFile(link, () => ({ ok: true }));
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(workspace, 'sub', 'state.json'), 'utf8')).toBe('{\n  "ok": true\n}\n');
  });
});
