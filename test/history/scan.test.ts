import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_LINE_BYTES } from '../../src/history/lines-backward.js';
import { readRunHistory, scanHistory, type HistoryEntry } from '../../src/history/scan.js';
import { appendRunRecord, runLogPath } from '../../src/store/run-log.js';

const home = () => mkdtempSync(path.join(tmpdir(), 'taskrunner-history-'));
const record = (n: number, task = `task_${n % 7}`) => ({
  task,
  timestamp: new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString(),
  success: n % 5 !== 0,
  message: `run ${n} ${'é'.repeat(n % 13)}`,
  n,
});

async function collectNewestFirst(file: string, chunkBytes?: number): Promise<{ entries: HistoryEntry[]; skipped: number; partialTail: boolean }> {
  const entries: HistoryEntry[] = [];
  const result = await scanHistory(file, (entry) => {
    entries.push(entry);
  }, { chunkBytes });
  return { entries, skipped: result.skipped, partialTail: result.partialTail };
}

describe('scanHistory', () => {
  it('reads thousands of records across the live and rotated files, newest first', async () => {
    const h = home();
    const file = runLogPath(h);
    const rotation = { maxBytes: 50_000, keep: 4 };
    for (let n = 0; n < 3000; n++) appendRunRecord(h, record(n), rotation);
    const names = readdirSync(path.dirname(file)).sort();
    expect(names).toEqual(['tasks.jsonl', 'tasks.jsonl.1', 'tasks.jsonl.2', 'tasks.jsonl.3', 'tasks.jsonl.4']);

    // What is on disk, oldest file first, is the expected order reversed.
    const onDisk = ['.4', '.3', '.2', '.1', '']
      .flatMap((suffix) => readFileSync(`${file}${suffix}`, 'utf8').split('\n'))
      .filter((line) => line !== '');
    for (const chunkBytes of [undefined, 97, 4096]) {
      const { entries, skipped } = await collectNewestFirst(file, chunkBytes);
      expect(skipped).toBe(0);
      expect(entries.map((entry) => entry.line)).toEqual([...onDisk].reverse());
      const ns = entries.map((entry) => entry.record.n as number);
      expect(ns[0]).toBe(2999);
      expect(ns.every((n, i) => i === 0 || n === ns[i - 1]! - 1)).toBe(true);
      expect(entries[0]!.file).toBe(file);
      expect(entries.at(-1)!.file).toBe(`${file}.4`);
    }
  });

  it('skips and counts lines that are not records, in every file', async () => {
    const h = home();
    const file = runLogPath(h);
    appendRunRecord(h, record(1));
    appendFileSync(file, '{"task":"half\n[1,2]\n{"timestamp":"2026-01-01T00:00:00Z"}\n{"task":"x"}\nnot json\n\n   \n');
    appendRunRecord(h, record(2));
    renameSync(file, `${file}.1`);
    appendRunRecord(h, record(3));
    appendFileSync(file, 'garbage\n');
    appendRunRecord(h, record(4));
    const { entries, skipped, partialTail } = await collectNewestFirst(file, 16);
    expect(entries.map((entry) => entry.record.n)).toEqual([4, 3, 2, 1]);
    expect(skipped).toBe(6);
    expect(partialTail).toBe(false);
  });

  it('passes over a partial last line of the live file without counting it, and reads a whole one', async () => {
    const h = home();
    const file = runLogPath(h);
    for (let n = 0; n < 2000; n++) appendRunRecord(h, record(n));
    appendFileSync(file, '{"task":"task_1","timestamp":"2026-01-0');
    let result = await collectNewestFirst(file, 1000);
    expect(result.entries).toHaveLength(2000);
    expect(result.entries[0]!.record.n).toBe(1999);
    expect(result.skipped).toBe(0);
    expect(result.partialTail).toBe(true);

    // The writer finishes its line: now it is a record like any other.
    appendFileSync(file, '1T00:00:00Z","success":true,"n":2000}\n');
    result = await collectNewestFirst(file, 1000);
    expect(result.entries).toHaveLength(2001);
    expect(result.entries[0]!.record.n).toBe(2000);
    expect(result.partialTail).toBe(false);

    // A complete record without its newline (a file edited by hand) is read.
    appendFileSync(file, JSON.stringify(record(2001)));
    result = await collectNewestFirst(file);
    expect(result.entries[0]!.record.n).toBe(2001);
  });

  it('counts a cut line at the end of a rotated file as skipped', async () => {
    const h = home();
    const file = runLogPath(h);
    appendRunRecord(h, record(1));
    appendFileSync(file, '{"task":"cut');
    renameSync(file, `${file}.1`);
    appendRunRecord(h, record(2));
    const { entries, skipped } = await collectNewestFirst(file);
    expect(entries.map((entry) => entry.record.n)).toEqual([2, 1]);
    expect(skipped).toBe(1);
  });

  it('skips a line longer than the limit without holding it', async () => {
    const h = home();
    const file = runLogPath(h);
    appendRunRecord(h, record(1));
    appendFileSync(file, `${'x'.repeat(MAX_LINE_BYTES + 10)}\n`);
    appendRunRecord(h, record(2));
    const { entries, skipped } = await collectNewestFirst(file);
    expect(entries.map((entry) => entry.record.n)).toEqual([2, 1]);
    expect(skipped).toBe(1);
  });

  it('reads a missing or empty log as no records', async () => {
    const h = home();
    expect(await collectNewestFirst(runLogPath(h))).toEqual({ entries: [], skipped: 0, partialTail: false });
    mkdirSync(path.dirname(runLogPath(h)), { recursive: true });
    writeFileSync(runLogPath(h), '');
    expect(await collectNewestFirst(runLogPath(h))).toEqual({ entries: [], skipped: 0, partialTail: false });
  });

  it('stops when the visitor says so, and can pass over unwanted tasks without parsing them', async () => {
    const h = home();
    const file = runLogPath(h);
    for (let n = 0; n < 1000; n++) appendRunRecord(h, record(n));
    // Lines of another task: one cut short is counted, one that looks whole is passed over unjudged.
    appendFileSync(file, '{"task":"task_2","timestamp":\n{"task":"task_2","timestamp":1}\n');
    appendRunRecord(h, record(1000));
    const seen: number[] = [];
    const result = await scanHistory(file, ({ record: r }) => {
      seen.push(r.n as number);
      return seen.length < 3;
    }, { wantsTask: (task) => task === 'task_3' });
    expect(seen).toEqual([997, 990, 983]);
    expect(result.complete).toBe(false);
    expect(result.skipped).toBe(1);
  });
});

describe('readRunHistory', () => {
  it('gives every record oldest first and counts what it skipped', async () => {
    const h = home();
    appendRunRecord(h, record(1));
    writeFileSync(runLogPath(h), '{"task":"half', { flag: 'a' });
    writeFileSync(runLogPath(h), '\n[1,2]\n', { flag: 'a' });
    appendRunRecord(h, record(2));
    const history = await readRunHistory(runLogPath(h));
    expect(history.records.map((r) => r.n)).toEqual([1, 2]);
    expect(history.skipped).toBe(2);
  });
});
