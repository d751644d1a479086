import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { collect, writeFile } from '../helpers/cli.js';
import { markerCounts } from '../e2e/batch-helpers.js';
import { describeOnServers } from './helpers.js';
import { sharedHome, writeSharedQueue, type SharedHome } from './shared-batch-helpers.js';

/**
 * The shared batch queue (`queue.url` set): `runner batch add`, `batch list` and `runner batch N`
 * from several homes (hosts) on one queue in Redis or PostgreSQL, run as real CLI processes.
 */
function json(text: string): unknown {
  return JSON.parse(text);
}

/** Ids replaced by their order of first appearance, so outputs of two queues compare. */
function normalizeIds(text: string, ids: readonly string[]): string {
  return ids.reduce((out, id, index) => out.replaceAll(id, `ID${index}`), text);
}

await describeOnServers('shared batch queue', (backend) => {
  // Each test its own queue (prefix), all removed at the end.
  const queue = () => ({ url: backend.url, prefix: backend.newPrefix() });

  it('adds and lists exactly as the file queue does (table and --json), from any home', async () => {
    const q = queue();
    const a = sharedHome(q);
    const b = sharedHome(q);
    const file = sharedHome(undefined);
    const ids: { shared: string[]; file: string[] } = { shared: [], file: [] };
    const steps: [SharedHome, string[]][] = [
      [a, ['batch', 'add', 'Write docs', 'README', 'docs matter', 'next']],
      [b, ['batch', 'add', 'Urgent fix', '--priority', 'high']],
      [a, ['batch', 'add', 'After docs', '--depends-on', '$0']],
      [b, ['batch', 'add', 'Capture memory', '--run', 'memory_capture', '--priority', 'low', '--max-attempts', '2']],
    ];
    for (const [home, args] of steps) {
      const shared = await home.cli(args.map((arg) => arg.replace(/^\$(\d)$/, (_, i: string) => ids.shared[Number(i)]!)));
      const local = await file.cli(args.map((arg) => arg.replace(/^\$(\d)$/, (_, i: string) => ids.file[Number(i)]!)));
      expect(shared.stderr).toBe('');
      expect(shared.code).toBe(0);
      expect(shared.stdout.replace(/id: \S+/, 'id: NEW')).toBe(local.stdout.replace(/id: \S+/, 'id: NEW'));
      ids.shared.push(shared.stdout.match(/id: (\S+)/)![1]!);
      ids.file.push(local.stdout.match(/id: (\S+)/)![1]!);
    }
    const sharedTable = await b.cli(['batch', 'list']);
    const fileTable = await file.cli(['batch', 'list']);
    expect(sharedTable.code).toBe(0);
    expect(normalizeIds(sharedTable.stdout, ids.shared)).toBe(normalizeIds(fileTable.stdout, ids.file));
    expect(sharedTable.stdout).toMatch(/Pending batch tasks: 4/);
    const sharedJson = await a.cli(['batch', 'list', '--json']);
    const fileJson = await file.cli(['batch', 'list', '--json']);
    expect(json(normalizeIds(sharedJson.stdout, ids.shared))).toEqual(json(normalizeIds(fileJson.stdout, ids.file)));
    // --json of add has the same shape too.
    const added = await a.cli(['batch', 'add', 'One more', '--json']);
    expect(json(added.stdout)).toEqual({ id: expect.any(String), pending: 5, dry_run: false, entry: expect.objectContaining({ task: 'One more', status: 'pending' }) });
    // An unknown dependency is refused, naming the shared queue.
    const missing = await a.cli(['batch', 'add', 'Orphan', '--depends-on', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`--depends-on: no task with id nope in the shared batch queue at ${backend.url}`);
    // The file mode's queue file is not involved.
    expect(existsSync(path.join(a.workspace, 'batch-tasks.json'))).toBe(false);
  });

  it('refuses command entries at add, and fails one written into the server without running it', async () => {
    const q = queue();
    const h = sharedHome(q);
    const refused = await h.cli(['batch', 'add', 'Shell', '--command', 'touch pwned']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/command entries are not accepted in the shared batch queue/);
    // Someone with write access to the server plants one anyway.
    await h.cli(['batch', 'list']);
    await writeSharedQueue(backend, q.prefix, [
      { id: 'evil', task: 'Planted', status: 'pending', command: 'touch pwned' },
      { id: 'fine', task: 'Planned work', status: 'pending' },
    ]);
    const dry = await h.cli(['batch', '5', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(json(dry.stdout)).toMatchObject({
      dry_run: true,
      would_run: 1,
      items: [{ id: 'evil', outcome: 'refused' }, { id: 'fine', outcome: 'would-run' }],
    });
    const run = await h.cli(['batch', '5', '--json']);
    expect(run.code).toBe(1);
    expect(existsSync(path.join(h.workspace, 'pwned'))).toBe(false);
    expect([...markerCounts(h.diary()).keys()]).toEqual(['fine']);
    const list = json((await h.cli(['batch', 'list', '--json'])).stdout) as Record<string, unknown>[];
    expect(list).toEqual([expect.objectContaining({ id: 'evil', state: 'failed', kind: 'command', error: expect.stringMatching(/not accepted in the shared batch queue/) })]);
    const alerts = await h.cli(['alerts', '--json']);
    expect(alerts.stdout).toContain('evil');
  });

  it('loses no entry when two homes add at once', async () => {
    const q = queue();
    const homes = [sharedHome(q), sharedHome(q)];
    await homes[0]!.cli(['batch', 'list']);
    const adds = Array.from({ length: 12 }, (_, i) => collect(homes[i % 2]!.start(['batch', 'add', `Task ${i}`])));
    const results = await Promise.all(adds);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const list = json((await homes[1]!.cli(['batch', 'list', '--json'])).stdout) as { task: string }[];
    expect(list.map((item) => item.task).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `Task ${i}`).sort());
  });

  it('runs each entry exactly once with executors on two homes at the same time', async () => {
    const q = queue();
    const homes = [sharedHome(q), sharedHome(q)];
    const total = 16;
    await homes[0]!.cli(['batch', 'add', 'Block 0']);
    await Promise.all(Array.from({ length: total - 1 }, (_, j) => collect(homes[j % 2]!.start(['batch', 'add', `Block ${j + 1}`]))));
    expect((json((await homes[0]!.cli(['batch', 'list', '--json'])).stdout) as unknown[]).length).toBe(total);
    // Both homes keep executing small batches at once until the queue is empty; a run that finds
    // the other executing is refused (exit 2) and tries again.
    const codes = new Set<number | null>();
    const loop = async (home: SharedHome) => {
      for (;;) {
        const result = await home.cli(['batch', '2']);
        codes.add(result.code);
        if (result.code !== 0 && result.code !== 2) throw new Error(result.stderr);
        if (result.code === 0 && /0 pending/.test(result.stdout + result.stderr)) return;
      }
    };
    await Promise.all(homes.map(loop));
    const counts = [homes[0]!.diary(), homes[1]!.diary()].map(markerCounts);
    const all = new Map<string, number>();
    for (const count of counts) for (const [id, k] of count) all.set(id, (all.get(id) ?? 0) + k);
    expect(all.size).toBe(total);
    expect([...all.values()].every((k) => k === 1)).toBe(true);
    expect(json((await homes[1]!.cli(['batch', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('retries a failing run entry up to max_attempts, then keeps it failed and blocks what depends on it', async () => {
    const q = queue();
    const h = sharedHome(q);
    writeFile(h.home, 'tasks/grumble.mjs', [
      'export default class Grumble {',
      "  static [Symbol.for('taskrunner.task')] = true;",
      "  name = 'grumble';",
      "  description = 'Fails';",
      '  defaults = { attempts: 1 };',
      "  async run() { return { success: false, message: 'not today' }; }",
      '}',
      '',
    ].join('\n'));
    const added = JSON.parse((await h.cli(['batch', 'add', 'Grumble', '--run', 'grumble', '--max-attempts', '2', '--json'])).stdout) as { id: string };
    await h.cli(['batch', 'add', 'After grumble', '--depends-on', added.id]);
    const dry = await h.cli(['batch', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(await h.cli(['batch', 'list', '--json']).then((r) => (JSON.parse(r.stdout) as unknown[]).length)).toBe(2);
    expect((await h.cli(['batch', '1'])).code).toBe(1);
    let list = JSON.parse((await h.cli(['batch', 'list', '--json'])).stdout) as Record<string, unknown>[];
    expect(list[0]).toMatchObject({ id: added.id, state: 'ready', attempts: 1, max_attempts: 2, error: expect.stringContaining('not today') });
    expect((await h.cli(['batch', '1'])).code).toBe(1);
    list = JSON.parse((await h.cli(['batch', 'list', '--json'])).stdout) as Record<string, unknown>[];
    expect(list).toEqual([
      expect.objectContaining({ task: 'After grumble', state: 'blocked', blocked_by: [added.id] }),
      expect.objectContaining({ id: added.id, state: 'failed', attempts: 2 }),
    ]);
    expect((await h.cli(['alerts', '--json'])).stdout).toContain('failed after 2 attempts');
    expect(h.diary()).toBe('');
  });

  it('says the server is unreachable, without the password, and exits 1', async () => {
    const url = backend.kind === 'redis' ? 'redis://:secret@127.0.0.1:1' : 'postgres://postgres:secret@127.0.0.1:1/test';
    const h = sharedHome({ url, prefix: 'tr_unused' });
    for (const args of [['batch', 'list'], ['batch', 'add', 'x'], ['batch', '2']]) {
      const result = await h.cli(args);
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).toContain('cannot reach the queue server at');
      expect(result.stdout + result.stderr).toContain(':***@127.0.0.1:1');
      expect(result.stdout + result.stderr).not.toContain('secret');
    }
  });
});
