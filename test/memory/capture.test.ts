import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureDays, captureMemory, selectNewEntries, type CapturedEntry } from '../../src/memory/capture.js';
import { HAS_PUBLIC_CORPUS, ownMemoryDir, PUBLIC_CORPUS, PUBLIC_CORPUS_TITLE } from '../fixtures/memory.js';

function workspaceWith(files: Record<string, string> = {}): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'memory-capture-'));
  mkdirSync(path.join(workspace, 'memory'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(workspace, name), content);
  return workspace;
}

/** A temporary workspace holding a copy of a fixture workspace's `memory/` folder. */
function workspaceFrom(memoryDir: string): string {
  const workspace = workspaceWith();
  cpSync(memoryDir, path.join(workspace, 'memory'), { recursive: true });
  return workspace;
}

const readStore = (workspace: string) => JSON.parse(readFileSync(path.join(workspace, 'memory/store.json'), 'utf8')) as CapturedEntry[];
const now = new Date('2026-02-16T12:00:00Z');

describe('captureDays', () => {
  it('reads the right two files at 00:30 in the configured time zone', () => {
    // 00:30 on 16 February in Tokyo is still 15 February in UTC.
    const instant = new Date('2026-02-15T15:30:00Z');
    expect(captureDays(instant, 'Asia/Tokyo')).toEqual(['2026-02-15', '2026-02-16']);
    expect(captureDays(instant, 'UTC')).toEqual(['2026-02-14', '2026-02-15']);
    // 00:30 on 1 March in Los Angeles (after February's last day, in a non-leap year).
    expect(captureDays(new Date('2026-03-01T08:30:00Z'), 'America/Los_Angeles')).toEqual(['2026-02-28', '2026-03-01']);
    expect(captureDays(instant, 'UTC', '2024-03-01')).toEqual(['2024-02-29', '2024-03-01']);
  });

  it('a run at 00:30 in Tokyo captures that day and the day before', async () => {
    const workspace = workspaceFrom(ownMemoryDir('ops-agent'));
    const summary = await captureMemory({ workspace, now: new Date('2026-02-15T15:30:00Z'), timeZone: 'Asia/Tokyo', dryRun: false });
    expect(summary.days).toEqual(['2026-02-15', '2026-02-16']);
    expect(summary.files_processed).toBe(2);
    const files = new Set(readStore(workspace).map((entry) => entry.file));
    expect(files).toEqual(new Set(['memory/2026-02-15.md', 'memory/2026-02-16.md']));
    expect(readStore(workspace)[0]!.timestamp).toBe('2026-02-16T00:30:00.000+09:00');
  });
});

// Capture every day of a workspace (each run reads that day and the day before) and check the
// counts and the shape of what was stored.
async function captureEveryDay(memoryDir: string): Promise<void> {
  const workspace = workspaceFrom(memoryDir);
  const days = readdirSync(path.join(workspace, 'memory')).filter((file) => file.endsWith('.md')).map((file) => file.slice(0, 10)).sort();
  let added = 0;
  for (const day of days) {
    const summary = await captureMemory({ workspace, now, day, dryRun: false });
    expect(summary.files_processed, `${memoryDir} ${day}`).toBeGreaterThanOrEqual(1);
    expect(summary.items_added + summary.items_skipped).toBe(summary.items_extracted);
    added += summary.items_added;
  }
  if (added === 0) return;
  const store = readStore(workspace);
  expect(store).toHaveLength(added);
  for (const entry of store) {
    expect(Object.keys(entry)).toEqual(['text', 'timestamp', 'importance', 'source', 'markers', 'category', 'file', 'line']);
    expect(entry.category).toBe('auto_captured');
    expect(entry.source).toBe(path.basename(entry.file));
  }
}

describe("captureMemory on the project's daily notes", () => {
  it('captures every day and the day before without error', async () => {
    await captureEveryDay(ownMemoryDir('ops-agent'));
  });

  it('skips everything on a second run over the same days', async () => {
    const workspace = workspaceFrom(ownMemoryDir('ops-agent'));
    const first = await captureMemory({ workspace, now, day: '2026-02-11', dryRun: false });
    expect(first.files_processed).toBe(2);
    expect(first.items_added).toBeGreaterThan(10);
    const second = await captureMemory({ workspace, now, day: '2026-02-11', dryRun: false });
    expect(second).toMatchObject({ items_added: 0, items_skipped: first.items_extracted });
    expect(readStore(workspace)).toHaveLength(first.items_added);
  });
});

describe(PUBLIC_CORPUS_TITLE, () => {
  it.runIf(HAS_PUBLIC_CORPUS)('captures every day and the day before of every workspace without error', async () => {
    const workspaces = readdirSync(PUBLIC_CORPUS).filter((name) => name !== 'SOURCES.md');
    expect(workspaces.length).toBeGreaterThan(20);
    for (const name of workspaces) await captureEveryDay(path.join(PUBLIC_CORPUS, name, 'memory'));
  }, 300_000); // about seventy runs, each starting a parser worker, on a shared machine
});

describe('captureMemory and the store file', () => {
  const daily = '## Deployed the new gateway build today\n\n- **Cron** jobs were moved to the new host\n';
  const files = { 'memory/2026-02-16.md': daily };

  it('appends to the store and keeps the previous store in .bak', async () => {
    const old = [{ text: 'an entry from before', timestamp: '2026-02-01T10:00:00', importance: 0.5 }];
    const workspace = workspaceWith({ ...files, 'memory/store.json': JSON.stringify(old) });
    const summary = await captureMemory({ workspace, now, dryRun: false });
    expect(summary).toMatchObject({ files_processed: 1, items_extracted: 2, items_added: 2, items_skipped: 0 });
    expect(readStore(workspace).slice(0, 1)).toEqual(old);
    expect(readStore(workspace).slice(1).map((entry) => [entry.text, entry.line])).toEqual([
      ['Deployed the new gateway build today', 1],
      ['Cron jobs were moved to the new host', 3],
    ]);
    expect(readFileSync(path.join(workspace, 'memory/store.json.bak'), 'utf8')).toBe(JSON.stringify(old));
  });

  it('dry-run reports and changes nothing', async () => {
    const workspace = workspaceWith(files);
    const summary = await captureMemory({ workspace, now, dryRun: true });
    expect(summary.items_added).toBe(2);
    expect(readdirSync(path.join(workspace, 'memory'))).toEqual(['2026-02-16.md']);
  });

  it('a corrupt store fails naming the file and position, and nothing is touched', async () => {
    const corrupt = '[{"text": "half an entry"';
    const workspace = workspaceWith({ ...files, 'memory/store.json': corrupt, 'memory/store.json.bak': 'old backup' });
    await expect(captureMemory({ workspace, now, dryRun: false })).rejects.toThrow(/store\.json.*(line|end of file)/);
    expect(readFileSync(path.join(workspace, 'memory/store.json'), 'utf8')).toBe(corrupt);
    expect(readFileSync(path.join(workspace, 'memory/store.json.bak'), 'utf8')).toBe('old backup');
  });

  it('a store that is not an array fails naming the file', async () => {
    const workspace = workspaceWith({ ...files, 'memory/store.json': '{"entries": []}' });
    await expect(captureMemory({ workspace, now, dryRun: false })).rejects.toThrow(/store\.json.*JSON array, found an object/);
    expect(existsSync(path.join(workspace, 'memory/store.json.bak'))).toBe(false);
  });

  it('no daily file: nothing processed, no store created', async () => {
    const workspace = workspaceWith();
    expect(await captureMemory({ workspace, now, dryRun: false })).toMatchObject({ files_processed: 0, items_extracted: 0 });
    expect(existsSync(path.join(workspace, 'memory/store.json'))).toBe(false);
  });

  it('rejects a bad configured threshold by its key', async () => {
    const workspace = workspaceWith(files);
    await expect(captureMemory({ workspace, now, dryRun: true, threshold: 0.1234567 })).rejects.toThrow(/memory\.captureThreshold/);
  });
});

describe('selectNewEntries', () => {
  it('drops candidates similar to the store or to a kept candidate, tolerating odd entries', () => {
    const store = [null, 'text', { text: 42 }, { text: 'the gateway was restarted after the upgrade today' }];
    const candidates = [
      { text: 'The gateway was restarted after the upgrade today!' }, // one word differs: 6/8 < 0.85, kept
      { text: 'the gateway was restarted after the upgrade today' }, // identical to the store
      { text: 'completely different words in this one' },
      { text: 'completely different words in this one' }, // identical to a kept candidate
    ];
    expect(selectNewEntries(store, candidates, 0.85).map((c) => candidates.indexOf(c))).toEqual([0, 2]);
  });
});

describe('daily notes that are not captured', () => {
  const good = '## Deployed the new gateway build today\n';
  const utf16 = (text: string, bom = true) => Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);

  function workspaceWithBytes(files: Record<string, string | Uint8Array>): string {
    const workspace = workspaceWith();
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(workspace, name), content);
    return workspace;
  }

  it('a UTF-16 note is skipped, named and said to need UTF-8; the other note is still captured', async () => {
    const workspace = workspaceWithBytes({ 'memory/2026-02-15.md': utf16(good), 'memory/2026-02-16.md': '## Another header of the day\n' });
    const summary = await captureMemory({ workspace, now, dryRun: false });
    expect(summary).toMatchObject({ files_processed: 1, items_extracted: 1, items_added: 1 });
    expect(summary.files_skipped).toEqual([
      {
        file: 'memory/2026-02-15.md',
        reason: 'memory/2026-02-15.md is not UTF-8: it starts with a UTF-16 LE byte-order mark; save it as UTF-8 to have it captured',
      },
    ]);
    expect(readStore(workspace).map((entry) => entry.file)).toEqual(['memory/2026-02-16.md']);
  });

  it('a note that is only UTF-16 is not "0 of 0 items": it is listed as skipped', async () => {
    const workspace = workspaceWithBytes({ 'memory/2026-02-16.md': utf16(`# t\n\n${good}`, false) });
    const summary = await captureMemory({ workspace, now, dryRun: false });
    expect(summary).toMatchObject({ files_processed: 0, items_extracted: 0 });
    expect(summary.files_skipped.map((skip) => skip.reason)).toEqual([
      'memory/2026-02-16.md is not UTF-8: it has a NUL byte on line 1 (UTF-16 without a byte-order mark, or not text); save it as UTF-8 to have it captured',
    ]);
    expect(existsSync(path.join(workspace, 'memory/store.json'))).toBe(false);
  });

  it('a FIFO in place of a note is skipped, not waited on', async () => {
    const workspace = workspaceWithBytes({ 'memory/2026-02-16.md': '## Another header of the day\n' });
    execFileSync('mkfifo', [path.join(workspace, 'memory/2026-02-15.md')]);
    const summary = await captureMemory({ workspace, now, dryRun: true });
    expect(summary.files_skipped).toEqual([
      { file: 'memory/2026-02-15.md', reason: 'refusing to read memory/2026-02-15.md: a FIFO (named pipe), not a regular file' },
    ]);
    expect(summary).toMatchObject({ files_processed: 1, items_extracted: 1 });
  });

  it('names the line of bytes that are not UTF-8, and accepts a UTF-8 byte-order mark', async () => {
    const latin1 = Buffer.from('# t\n\n## Caf\xe9 opening hours changed\n', 'latin1');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('## Header right after the mark\n')]);
    const workspace = workspaceWithBytes({ 'memory/2026-02-15.md': latin1, 'memory/2026-02-16.md': bom });
    const summary = await captureMemory({ workspace, now, dryRun: true });
    expect(summary.files_skipped.map((skip) => skip.reason)).toEqual([
      'memory/2026-02-15.md is not UTF-8: it has a byte sequence that is not UTF-8 on line 3; save it as UTF-8 to have it captured',
    ]);
    expect(summary).toMatchObject({ files_processed: 1, items_extracted: 1 });
  });

  it('refuses notes over the configured limits, naming each, and captures the rest', async () => {
    const staircase = Array.from({ length: 300 }, (_, i) => `${'  '.repeat(i)}- level ${i} was fixed`).join('\n');
    const workspace = workspaceWith({ 'memory/2026-02-15.md': staircase, 'memory/2026-02-16.md': `${good}${'x'.repeat(2000)}\n` });
    const summary = await captureMemory({ workspace, now, dryRun: true, limits: { maxLineLength: 1000 } });
    expect(summary.files_skipped).toEqual([
      {
        file: 'memory/2026-02-15.md',
        reason: 'memory/2026-02-15.md: line 101 is nested 101 deep, over the limit of 100 (memory.maxNesting); not captured',
      },
      {
        file: 'memory/2026-02-16.md',
        reason: 'memory/2026-02-16.md: line 2 is 2,000 characters long, over the limit of 1,000 (memory.maxLineLength); not captured',
      },
    ]);
    const small = await captureMemory({ workspace, now, dryRun: true, limits: { maxFileBytes: 2000 } });
    expect(small.files_skipped.map((skip) => skip.reason)).toEqual([
      expect.stringMatching(/^memory\/2026-02-15\.md: the file is [\d,]+ bytes, over the limit of 2,000 \(memory\.maxFileBytes\); not captured$/),
      'memory/2026-02-16.md: the file is 2,041 bytes, over the limit of 2,000 (memory.maxFileBytes); not captured',
    ]);
  });

  it('a note whose syntax tree is too deep to read is skipped by name, at the default limits', async () => {
    const stars = '*'.repeat(4_990);
    const workspace = workspaceWith({ 'memory/2026-02-15.md': `${stars}TODO: x${stars}\n`, 'memory/2026-02-16.md': good });
    const summary = await captureMemory({ workspace, now, dryRun: true });
    expect(summary.files_skipped).toEqual([
      { file: 'memory/2026-02-15.md', reason: expect.stringMatching(/^memory\/2026-02-15\.md could not be parsed as Markdown: its syntax tree is nested too deeply/) },
    ]);
    expect(summary).toMatchObject({ files_processed: 1, items_extracted: 1 });
  });

  it('an abort while a hostile note is being parsed ends the capture with the abort reason', async () => {
    // Within raised limits, this line takes the parser many minutes: only terminating it ends the run.
    const stars = '*'.repeat(100_000);
    const workspace = workspaceWith({ 'memory/2026-02-16.md': `${stars}TODO: x${stars}\n` });
    const controller = new AbortController();
    const parsing: string[] = [];
    const run = captureMemory({
      workspace,
      now,
      dryRun: false,
      limits: { maxLineLength: 1_000_000 },
      signal: controller.signal,
      onParsing: (file) => {
        parsing.push(file);
        controller.abort(new Error('stopped by the test'));
      },
    });
    await expect(run).rejects.toThrow('stopped by the test');
    expect(parsing).toEqual(['memory/2026-02-16.md']);
    expect(existsSync(path.join(workspace, 'memory/store.json'))).toBe(false);
  });
});
