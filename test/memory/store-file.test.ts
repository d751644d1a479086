import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { updateStore, writeJsonArrayAtomic } from '../../src/memory/store-file.js';
import { writeAtomic } from '../../src/store/atomic-write.js';
import { formatJson } from '../../src/store/json-file.js';

const scratch = () => path.join(mkdtempSync(path.join(tmpdir(), 'memory-store-')), 'store.json');
const entry = (i: number) => ({ text: `entry ${i}\nwith "quotes" and ünïcode`, markers: ['a', 'b'], nested: { i }, empty: [] });

describe('writeJsonArrayAtomic', () => {
  it('writes exactly what formatJson writes', async () => {
    const file = scratch();
    for (const n of [0, 1, 2, 4095, 4096, 4097, 9000]) {
      const value = Array.from({ length: n }, (_, i) => (i % 7 === 3 ? null : entry(i)));
      await writeJsonArrayAtomic(file, value);
      expect(readFileSync(file, 'utf8')).toBe(formatJson(value));
    }
  });
});

describe('updateStore with append', () => {
  const append = (file: string, added: unknown[]) => updateStore(file, () => ({ append: added, result: undefined }), { dryRun: false });

  it('gives what a full rewrite would give for a store it wrote', async () => {
    const file = scratch();
    for (const [before, added] of [[0, 1], [1, 1], [3, 2], [5000, 3]] as const) {
      const old = Array.from({ length: before }, (_, i) => entry(i));
      const more = Array.from({ length: added }, (_, i) => entry(before + i));
      writeFileSync(file, formatJson(old));
      await append(file, more);
      expect(readFileSync(file, 'utf8')).toBe(formatJson([...old, ...more]));
      expect(readFileSync(`${file}.bak`, 'utf8')).toBe(formatJson(old));
    }
  });

  it('keeps the text of entries written by other tools and stays valid JSON', async () => {
    const file = scratch();
    for (const old of ['[]', '[ ]\n', '[\r\n]', '[{"text": "caf\\u00e9", "importance": 0.5}]', '\ufeff[\n    {"text": "four spaces"}\n]\n\n']) {
      writeFileSync(file, old);
      await append(file, [{ text: 'new' }]);
      const text = readFileSync(file, 'utf8');
      const body = text.replace(/^\ufeff/, '');
      const parsed = JSON.parse(body) as unknown[];
      expect(parsed).toEqual([...(JSON.parse(old.replace(/^\ufeff/, '')) as unknown[]), { text: 'new' }]);
      if (old.includes('caf')) expect(text.startsWith('[{"text": "caf\\u00e9", "importance": 0.5},\n  {')).toBe(true);
    }
  });

  it('without the bytes kept, rewrites the whole store to the same effect', async () => {
    const file = scratch();
    const old = [entry(1), entry(2)];
    writeFileSync(file, formatJson(old));
    await updateStore(file, () => ({ append: [entry(3)], result: undefined }), { dryRun: false });
    expect(readFileSync(file, 'utf8')).toBe(formatJson([...old, entry(3)]));
  });

  it('writes nothing when nothing is appended', async () => {
    const file = scratch();
    writeFileSync(file, '[1]');
    await append(file, []);
    expect(readFileSync(file, 'utf8')).toBe('[1]');
  });
});

describe('the store writer and its temporary files', () => {
  it('creates the temporary file with the store mode from the start', async () => {
    const file = scratch();
    writeFileSync(file, '[]\n', { mode: 0o600 });
    chmodSync(file, 0o600);
    const modes: number[] = [];
    await writeAtomic(file, async (sink) => {
      const temporary = readdirSync(path.dirname(file)).find((name) => name.endsWith('.tmp'))!;
      modes.push(statSync(path.join(path.dirname(file), temporary)).mode & 0o777);
      await sink.write('[1]\n');
    });
    expect(modes).toEqual([0o600]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('removes the temporary files of writers killed mid-write, never those of live ones', async () => {
    const file = scratch();
    const folder = path.dirname(file);
    writeFileSync(file, '[]\n');
    // A real writer that dies (as with kill -9) leaving its temporary file behind.
    const dead = spawnSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(file)} + '.' + process.pid + '.0badf00d.tmp', '[')`]);
    expect(dead.status).toBe(0);
    const live = `store.json.${process.pid}.cafe0123.tmp`;
    writeFileSync(path.join(folder, live), '[');
    expect(readdirSync(folder)).toHaveLength(3);
    await updateStore(file, () => ({ append: [1], result: undefined }), { dryRun: false });
    expect(readdirSync(folder).sort()).toEqual(['store.json', 'store.json.bak', live].sort());
  });
});
