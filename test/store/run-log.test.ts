import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendRunRecord, recordLine, runLogPath } from '../../src/store/run-log.js';

const home = () => mkdtempSync(path.join(tmpdir(), 'taskrunner-runlog-'));
const record = (n: number) => ({ task: 'sample', timestamp: `2026-02-03T17:35:0${n % 10}+00:00`, success: true, n });

describe('appendRunRecord', () => {
  it('appends one JSON line per record, keys in the order given', () => {
    const h = home();
    appendRunRecord(h, record(1));
    appendRunRecord(h, { ...record(2), big: 10n as unknown as number });
    const lines = readFileSync(runLogPath(h), 'utf8').trim().split('\n');
    expect(lines).toEqual([
      '{"task":"sample","timestamp":"2026-02-03T17:35:01+00:00","success":true,"n":1}',
      '{"task":"sample","timestamp":"2026-02-03T17:35:02+00:00","success":true,"n":2,"big":"10"}',
    ]);
  });

  it('rotates at maxBytes, keeping `keep` old logs and dropping the oldest', () => {
    const h = home();
    const file = runLogPath(h);
    const line = JSON.stringify(record(0)).length + 1;
    for (let n = 0; n < 12; n++) appendRunRecord(h, record(n), { maxBytes: line * 2, keep: 3 });
    // Each file holds two records; 12 records make 6 files, of which the current one and 3 are kept.
    const ns = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { n: number }).n);
    expect(ns(file)).toEqual([10, 11]);
    expect(ns(`${file}.1`)).toEqual([8, 9]);
    expect(ns(`${file}.3`)).toEqual([4, 5]);
    expect(existsSync(`${file}.4`)).toBe(false);
    expect(existsSync(`${file}.rotating`)).toBe(false);
  });

  it('keeps appending to the file at the path when another process renamed or removed the log', () => {
    const h = home();
    const file = runLogPath(h);
    appendRunRecord(h, record(1));
    const ns = (f: string) => readFileSync(f, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { n: number }).n);
    renameSync(file, `${file}.1`);
    appendRunRecord(h, record(2));
    expect([ns(`${file}.1`), ns(file)]).toEqual([[1], [2]]);
    rmSync(file);
    appendRunRecord(h, record(3));
    expect(ns(file)).toEqual([3]);
    rmSync(path.dirname(file), { recursive: true });
    appendRunRecord(h, record(4));
    expect(ns(file)).toEqual([4]);
  });

  it('writes the same line the shared history gets, and makes it once', () => {
    const h = home();
    const r = record(5);
    appendRunRecord(h, r);
    expect(readFileSync(runLogPath(h), 'utf8')).toBe(`${recordLine(r)}\n`);
    expect(recordLine(r)).toBe(recordLine(r));
  });
});
