import { describe, expect, it } from 'vitest';
import { RunsPageCollector } from '../../../src/dashboard/runs-page.js';
import type { RunsQuery } from '../../../src/dashboard/data-source.js';
import type { RunRecord } from '../../../src/store/run-log.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
/** A record of a run that started `startMin` minutes after T0 and took `seconds`. */
const run = (id: string, startMin: number, seconds: number, extra: Partial<RunRecord> = {}): RunRecord =>
  ({ task: 'job', dry_run: false, timestamp: new Date(T0 + startMin * 60_000).toISOString(), success: true, duration_seconds: seconds, run_id: id, attempts: 1, ...extra }) as RunRecord;

/** The log as written: in order of each run's end. */
function written(records: RunRecord[]): RunRecord[] {
  const end = (r: RunRecord) => Date.parse(r.timestamp) + (r.duration_seconds as number) * 1000;
  return [...records].sort((a, b) => end(a) - end(b));
}

/** Scan `log` newest written first, as the sources do; resolves to the page and how many records were read. */
function collect(log: RunRecord[], query: Partial<RunsQuery>) {
  const collector = new RunsPageCollector({ offset: 0, limit: 100, ...query }, 'UTC');
  let read = 0;
  for (const record of [...log].reverse()) {
    read += 1;
    if (!collector.visit(record)) break;
  }
  return { ...collector.page(), read };
}

describe('RunsPageCollector', () => {
  // A backup started at minute 1 and ran for two hours: it is written after every run that started
  // while it ran. Thirty short runs, one every five minutes, from an hour before it.
  const short = Array.from({ length: 30 }, (_, n) => run(`s${n}`, n * 5 - 60, 2));
  const log = written([...short, run('backup', 1, 7200)]);
  const byStart = [...short, run('backup', 1, 7200)].sort((a, b) => Date.parse(b.timestamp) - Date.parse(a.timestamp)).map((r) => r.run_id);

  it('lists runs by start, newest first, though they were written by end', () => {
    expect(log.at(-1)!.run_id).toBe('backup');
    expect(collect(log, {}).records.map((r) => r.run_id)).toEqual(byStart);
  });

  it('pages by start: each page holds the next runs, the long one on the page of its start', () => {
    const pages: string[][] = [];
    for (let offset = 0; ; offset += 7) {
      const page = collect(log, { offset, limit: 7 });
      pages.push(page.records.map((r) => String(r.run_id)));
      if (!page.more) break;
    }
    expect(pages.flat()).toEqual(byStart);
    expect(pages.every((page, i) => page.length === (i < pages.length - 1 ? 7 : byStart.length % 7 || 7))).toBe(true);
  });

  it('stops reading once no older record can start later than the page', () => {
    // Records written long before the page's oldest start are not read.
    const many = written(Array.from({ length: 2000 }, (_, n) => run(`m${n}`, n, 1)));
    const page = collect(many, { limit: 10 });
    expect(page.records.map((r) => r.run_id)).toEqual(Array.from({ length: 10 }, (_, n) => `m${1999 - n}`));
    expect(page.more).toBe(true);
    expect(page.read).toBeLessThan(100);
  });

  it('filters by task, failure and time, and says when older runs follow', () => {
    const mixed = written([run('a1', 0, 5), run('b1', 1, 5, { task: 'other' }), run('a2', 2, 5, { success: false }), run('a3', 3, 500)]);
    expect(collect(mixed, { task: 'job' }).records.map((r) => r.run_id)).toEqual(['a3', 'a2', 'a1']);
    expect(collect(mixed, { failed: true }).records.map((r) => r.run_id)).toEqual(['a2']);
    expect(collect(mixed, { sinceMs: T0 + 90_000 }).records.map((r) => r.run_id)).toEqual(['a3', 'a2']);
    expect(collect(mixed, { untilMs: T0 + 150_000 }).records.map((r) => r.run_id)).toEqual(['a2', 'b1', 'a1']);
    expect(collect(mixed, { limit: 2 })).toMatchObject({ more: true });
    expect(collect(mixed, { limit: 4 })).toMatchObject({ more: false });
  });
});
