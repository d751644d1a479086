import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { consolidateMemory } from '../../src/memory/consolidate.js';
import { captureMemory } from '../../src/memory/capture.js';
import { updateStore } from '../../src/memory/store-file.js';
import { BACKUP_GENERATIONS } from '../../src/store/backup.js';
import { updateJsonFile } from '../../src/store/json-file.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'taskrunner-bytes-'));

// What a parse and stringify would spoil: a big integer, an out-of-range number, a Latin-1 byte
// (0xE9, not valid UTF-8), and an escape written differently.
const bigId = Buffer.from('{"id": 1234567890123456789, "text": "big id entry kept as it is", "importance": 0.9}');
const huge = Buffer.from('{"text": "huge number entry kept", "score": 1e400, "importance": 0.9}');
const latin1 = Buffer.concat([Buffer.from('{"text": "caf'), Buffer.from([0xe9]), Buffer.from(' latin one entry", "esc": "\\u00e9", "importance": 0.9}')]);
const old = Buffer.from('{"text": "an old unimportant entry", "timestamp": "2020-01-01T00:00:00Z", "importance": 0.1}');
const store = (...entries: Buffer[]) => Buffer.concat([Buffer.from('[\n  '), ...entries.flatMap((entry, i) => (i === 0 ? [entry] : [Buffer.from(',\n  '), entry])), Buffer.from('\n]\n')]);

describe('rewriting the memory store', () => {
  it('memory_consolidate writes the entries it keeps byte for byte', async () => {
    const workspace = dir();
    const file = path.join(workspace, 'memory', 'store.json');
    await updateStore(file, () => ({ next: [], result: undefined }), { dryRun: false }); // creates memory/
    writeFileSync(file, store(bigId, old, huge, latin1));
    const summary = await consolidateMemory({ workspace, now: Date.now(), dryRun: false });
    expect(summary.pruned_by_age).toBe(1);
    expect(readFileSync(file)).toEqual(store(bigId, huge, latin1));
  });

  it('memory_capture appends after the existing bytes, keeping them exactly', async () => {
    const workspace = dir();
    const file = path.join(workspace, 'memory', 'store.json');
    await updateStore(file, () => ({ next: [], result: undefined }), { dryRun: false });
    const before = store(bigId, huge, latin1);
    writeFileSync(file, before);
    writeFileSync(path.join(workspace, 'memory', '2026-02-10.md'), '## Decided to ship the new parser today\n');
    const summary = await captureMemory({ workspace, now: new Date('2026-02-10T12:00:00Z'), timeZone: 'UTC', dryRun: false });
    expect(summary.items_added).toBe(1);
    const after = readFileSync(file);
    expect(after.subarray(0, before.length - 3)).toEqual(before.subarray(0, before.length - 3)); // all but "\n]\n"
    expect(JSON.parse(after.toString('utf8')).at(-1)).toMatchObject({ text: 'Decided to ship the new parser today' });
  });

  it('keeps backup generations as hard links to the replaced files', async () => {
    const file = path.join(dir(), 'store.json');
    writeFileSync(file, '[]\n');
    const versions: { text: string; inode: number }[] = [];
    for (let n = 1; n <= BACKUP_GENERATIONS + 1; n++) {
      versions.unshift({ text: readFileSync(file, 'utf8'), inode: statSync(file).ino });
      await updateStore(file, (current) => ({ append: [n], result: current }), { dryRun: false });
    }
    const backups = [`${file}.bak`, ...Array.from({ length: BACKUP_GENERATIONS - 1 }, (_, k) => `${file}.bak.${k + 1}`)];
    expect(backups.map((backup) => ({ text: readFileSync(backup, 'utf8'), inode: statSync(backup).ino }))).toEqual(versions.slice(0, BACKUP_GENERATIONS));
    expect(() => statSync(`${file}.bak.${BACKUP_GENERATIONS}`)).toThrow(/ENOENT/);
  });
});

describe('updateJsonFile', () => {
  it('writes top-level entries the update did not change byte for byte, even when it mutates in place', async () => {
    const file = path.join(dir(), 'ids.json');
    writeFileSync(file, store(bigId, huge, latin1));
    await updateJsonFile<unknown[]>(file, (current) => {
      current!.push({ text: 'added' });
      return current!;
    });
    const expected = Buffer.concat([store(bigId, huge, latin1).subarray(0, -3), Buffer.from(',\n  {\n    "text": "added"\n  }\n]\n')]);
    expect(readFileSync(file)).toEqual(expected);
  });

  it('keeps the untouched members of a top-level object, and writes nothing when nothing changed', async () => {
    const file = path.join(dir(), 'state.json');
    const text = '{\n  "id": 1234567890123456789,\n  "limit": 1e400,\n  "count": 1\n}\n';
    writeFileSync(file, text);
    await updateJsonFile<{ count: number }>(file, (current) => ({ ...current!, count: current!.count + 1 }));
    expect(readFileSync(file, 'utf8')).toBe(text.replace('"count": 1', '"count": 2'));
    const mtime = statSync(file).mtimeMs;
    await updateJsonFile(file, (current) => current, { backup: true });
    expect(statSync(file).mtimeMs).toBe(mtime);
  });
});
