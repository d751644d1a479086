import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendTextFile, readJsonFile, updateJsonFile } from '../../src/store/json-file.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'taskrunner-json-'));

describe('updateJsonFile', () => {
  it('creates a missing file, then backs up the previous version on each update', async () => {
    const file = path.join(dir(), 'sub', 'store.json');
    await updateJsonFile<number[]>(file, (current) => [...(current ?? []), 1], { backup: true });
    expect(readFileSync(file, 'utf8')).toBe('[\n  1\n]\n');
    await updateJsonFile<number[]>(file, (current) => [...(current ?? []), 2], { backup: true });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual([1, 2]);
    expect(JSON.parse(readFileSync(`${file}.bak`, 'utf8'))).toEqual([1]);
  });

  it('never overwrites a file it cannot parse, nor its backup', async () => {
    const folder = dir();
    const file = path.join(folder, 'store.json');
    writeFileSync(file, '[1, 2');
    writeFileSync(`${file}.bak`, '[1]');
    await expect(updateJsonFile(file, () => [], { backup: true })).rejects.toThrow(/cannot parse .*store\.json/);
    expect(readFileSync(file, 'utf8')).toBe('[1, 2');
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe('[1]');
    expect(readdirSync(folder).sort()).toEqual(['store.json', 'store.json.bak']);
  });

  it('in dry-run computes the new value and writes nothing', async () => {
    const folder = dir();
    const file = path.join(folder, 'store.json');
    writeFileSync(file, '[1]');
    const next = await updateJsonFile<number[]>(file, (current) => [...(current ?? []), 2], { dryRun: true, backup: true });
    expect(next).toEqual([1, 2]);
    expect(readdirSync(folder)).toEqual(['store.json']);
    expect(readFileSync(file, 'utf8')).toBe('[1]');
  });

  it('serialises concurrent updates in one process without losing any', async () => {
    const file = path.join(dir(), 'counter.json');
    await Promise.all(
      Array.from({ length: 25 }, () => updateJsonFile<number>(file, (current) => (current ?? 0) + 1)),
    );
    expect(await readJsonFile(file)).toBe(25);
  });
});

describe('appendTextFile', () => {
  it('appends, creating folders, and does nothing in dry-run', async () => {
    const file = path.join(dir(), 'a', 'diary.md');
    await appendTextFile(file, 'one\n');
    await appendTextFile(file, 'two\n', { dryRun: true });
    await appendTextFile(file, 'three\n');
    expect(readFileSync(file, 'utf8')).toBe('one\nthree\n');
  });
});
