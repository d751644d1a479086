import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendRunRecord, runLogPath } from '../../src/store/run-log.js';

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
});
