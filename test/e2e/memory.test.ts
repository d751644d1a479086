import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ownMemoryDir } from '../fixtures/memory.js';
import { collect, makeHome, readRecords, runCli, startCli, waitForOutput, writeFile } from '../helpers/cli.js';

function homeWithFixture() {
  const { home, workspace } = makeHome('taskrunner-memory-');
  cpSync(ownMemoryDir('ops-agent'), path.join(workspace, 'memory'), { recursive: true });
  return { home, workspace, store: path.join(workspace, 'memory', 'store.json') };
}

const where = (home: string, workspace: string) => ['--home', home, '--workspace', workspace];

describe('memory_capture through the CLI', () => {
  it('captures a given day and the day before, then skips them on a second run', async () => {
    const { home, workspace, store } = homeWithFixture();
    const first = await runCli(['memory_capture', ...where(home, workspace), '--date', '2026-02-11', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const result = JSON.parse(first.stdout) as Record<string, number>;
    expect(result).toMatchObject({ success: true, files_processed: 2 });
    expect(result.items_added).toBeGreaterThan(10);
    const entries = JSON.parse(readFileSync(store, 'utf8')) as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(result.items_added!);
    expect(entries[0]).toMatchObject({ category: 'auto_captured', source: '2026-02-10.md', file: 'memory/2026-02-10.md' });

    const second = await runCli(['memory_capture', ...where(home, workspace), '--date', '2026-02-11', '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ items_added: 0, items_skipped: result.items_extracted });
    const records = readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(records.map((record) => record.items_added)).toEqual([result.items_added, 0]);
  });

  it('dry-run writes nothing in the workspace', async () => {
    const { home, workspace, store } = homeWithFixture();
    const run = await runCli(['memory_capture', ...where(home, workspace), '--date', '2026-02-11', '--dry-run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).items_added).toBeGreaterThan(0);
    expect(existsSync(store)).toBe(false);
  });

  it('a corrupt store fails at once, naming the file and position, and stays untouched', async () => {
    const { home, workspace, store } = homeWithFixture();
    const corrupt = '[\n  {"text": "fine"},\n  {"text": oops}\n]\n';
    writeFileSync(store, corrupt);
    const run = await runCli(['memory_capture', ...where(home, workspace), '--date', '2026-02-11', '--json']);
    expect(run.code).toBe(1);
    const record = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(record.error).toMatch(/store\.json at line 3, column 12/);
    expect(record.attempts).toBe(1);
    expect(readFileSync(store, 'utf8')).toBe(corrupt);
    expect(existsSync(`${store}.bak`)).toBe(false);
  });

  it('refuses a --date that is not a day', async () => {
    const { home, workspace } = homeWithFixture();
    const run = await runCli(['memory_capture', ...where(home, workspace), '--date', '2026-02-30']);
    expect(run.code).toBe(1);
    expect(run.stderr + run.stdout).toMatch(/--date: expected a day as YYYY-MM-DD, got "2026-02-30"/);
  });
});

describe('memory_capture on hostile or unreadable notes', () => {
  it('SIGTERM while a pathological note is being parsed: exit 143, run recorded as cancelled', async () => {
    const { home, workspace } = makeHome('taskrunner-memory-');
    // Limits raised so the note reaches the parser: one 200 KB line of `*` around a marker, which
    // takes the parser many minutes. The CLI must still answer SIGTERM.
    writeFile(home, 'runner.config.json', JSON.stringify({ memory: { maxLineLength: 1_000_000 } }));
    const stars = '*'.repeat(100_000);
    writeFileSync(path.join(workspace, 'memory', '2026-02-16.md'), `${stars}TODO: x${stars}\n`);
    const child = startCli(['memory_capture', ...where(home, workspace), '--date', '2026-02-16', '--verbose', '--json']);
    await waitForOutput(child, /parsing memory\/2026-02-16\.md/);
    child.kill('SIGTERM');
    const run = await collect(child);
    expect(run.code, run.stderr).toBe(143);
    const [record] = readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(record).toMatchObject({ task: 'memory_capture', success: false, error_type: 'cancelled', cancelled: true });
    expect(String(record!.error)).toMatch(/SIGTERM/);
    expect(existsSync(path.join(workspace, 'memory', 'store.json'))).toBe(false);
  });

  it('a UTF-16 note is skipped and named in the message, the record and a warning alert', async () => {
    const { home, workspace } = makeHome('taskrunner-memory-');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('## Deployed the new gateway build today\n', 'utf16le')]);
    writeFileSync(path.join(workspace, 'memory', '2026-02-16.md'), utf16);
    const run = await runCli(['memory_capture', ...where(home, workspace), '--date', '2026-02-16', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const reason = 'memory/2026-02-16.md is not UTF-8: it starts with a UTF-16 LE byte-order mark; save it as UTF-8 to have it captured';
    expect(JSON.parse(run.stdout)).toMatchObject({
      success: true,
      message: `nothing captured; skipped 1 daily note: ${reason}`,
      files_processed: 0,
      files_skipped: [{ file: 'memory/2026-02-16.md', reason }],
    });
    const [record] = readRecords(readFileSync(path.join(home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(record).toMatchObject({ files_skipped: [{ file: 'memory/2026-02-16.md', reason }] });
    const alerts = JSON.parse(readFileSync(path.join(home, 'alerts', 'pending.json'), 'utf8')) as Array<Record<string, unknown>>;
    expect(alerts).toEqual([expect.objectContaining({ task: 'memory_capture', level: 'warning', message: `memory_capture: skipped 1 daily note: ${reason}` })]);
  });

  it('a note over a configured limit is refused by name; the other day is captured', async () => {
    const { home, workspace } = homeWithFixture();
    writeFile(home, 'runner.config.json', JSON.stringify({ memory: { maxNesting: 3 } }));
    writeFileSync(path.join(workspace, 'memory', '2026-02-11.md'), '- a\n  - b\n    - c\n      - d was fixed today\n');
    const run = await runCli(['memory_capture', ...where(home, workspace), '--date', '2026-02-11', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ success: true, files_processed: 1 });
    expect(result.message).toMatch(
      /^added \d+ of \d+ items from 1 file\(s\); 0 duplicates skipped; skipped 1 daily note: memory\/2026-02-11\.md: line 4 is nested 4 deep, over the limit of 3 \(memory\.maxNesting\); not captured$/,
    );
  });
});

describe('memory_consolidate through the CLI', () => {
  const recent = new Date(Date.now() - 86_400_000).toISOString();
  const entries = [
    ...Array.from({ length: 60 }, (_, i) => ({ text: `an old note number ${i}`, timestamp: '2020-01-01T00:00:00Z', importance: 0.1 })),
    { text: 'the gateway was restarted after the upgrade', timestamp: recent, importance: 0.5 },
    { text: 'The gateway was restarted after the upgrade', timestamp: recent },
    { text: 'a different thing entirely', timestamp: 'not a timestamp', importance: 'high' },
  ];

  it('prunes, backs up, replaces and raises an info alert above 50 removed', async () => {
    const { home, workspace } = makeHome('taskrunner-memory-');
    const store = path.join(workspace, 'memory', 'store.json');
    const original = JSON.stringify(entries, null, 2);
    writeFileSync(store, original);
    const run = await runCli(['memory_consolidate', ...where(home, workspace), '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      success: true,
      original_count: 63,
      pruned_by_age: 60,
      pruned_by_duplication: 1,
      pruned_count: 61,
      remaining_count: 2,
    });
    expect(JSON.parse(readFileSync(store, 'utf8'))).toEqual([entries[60], entries[62]]);
    expect(readFileSync(`${store}.bak`, 'utf8')).toBe(original);
    const alerts = JSON.parse(readFileSync(path.join(home, 'alerts', 'pending.json'), 'utf8')) as Array<Record<string, unknown>>;
    expect(alerts).toEqual([expect.objectContaining({ task: 'memory_consolidate', level: 'info' })]);
  });

  it('dry-run reports what would go and changes nothing', async () => {
    const { home, workspace } = makeHome('taskrunner-memory-');
    const store = path.join(workspace, 'memory', 'store.json');
    writeFileSync(store, JSON.stringify(entries));
    const run = await runCli(['memory_consolidate', ...where(home, workspace), '--dry-run', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ dry_run: true, pruned_count: 61 });
    expect(readFileSync(store, 'utf8')).toBe(JSON.stringify(entries));
    expect(existsSync(`${store}.bak`)).toBe(false);
    expect(existsSync(path.join(home, 'alerts', 'pending.json'))).toBe(false);
  });

  it('a store that is not an array fails naming the file; nothing is touched', async () => {
    const { home, workspace } = makeHome('taskrunner-memory-');
    const store = path.join(workspace, 'memory', 'store.json');
    writeFileSync(store, '{"entries": []}');
    writeFileSync(`${store}.bak`, 'older backup');
    const run = await runCli(['memory_consolidate', ...where(home, workspace), '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error).toMatch(/store\.json: the memory store must be a JSON array/);
    expect(readFileSync(store, 'utf8')).toBe('{"entries": []}');
    expect(readFileSync(`${store}.bak`, 'utf8')).toBe('older backup');
  });
});
