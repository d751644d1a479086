import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendWhole, journalOf, repairTornAppend } from '../../src/batch/diary-append.js';
import { Diary, formatWorkBlock } from '../../src/batch/diary.js';
import { makeWorkspace, OLD_DIARY } from './old-format.js';

const block = (number: number, taskId: string) =>
  formatWorkBlock({ number, time: new Date('2026-02-04T10:00:00Z'), task: `Task ${taskId}`, result: 'r', insight: 'i', next: 'n', taskId, runId: 'dead-run' });

// What a process killed in the middle of `appendWhole` leaves: the journal, and part of the text.
function tornAppend(file: string, text: string, keep: number): void {
  const offset = readFileSync(file).length;
  writeFileSync(journalOf(file), JSON.stringify({ offset, text }));
  writeFileSync(file, Buffer.concat([readFileSync(file), Buffer.from(text).subarray(0, keep)]));
}

describe('appendWhole and repairTornAppend', () => {
  it('appends and leaves no journal behind', async () => {
    const file = path.join(makeWorkspace(undefined, OLD_DIARY), 'diary.md');
    await appendWhole(file, block(42, 'a'));
    expect(readFileSync(file, 'utf8')).toBe(OLD_DIARY + block(42, 'a'));
    expect(existsSync(journalOf(file))).toBe(false);
  });

  it('a torn trailing block is removed: not counted as logged, and its number is given again', async () => {
    const file = path.join(makeWorkspace(undefined, OLD_DIARY), 'diary.md');
    const text = `\n${block(42, 'a')}\n${block(43, 'b')}`;
    // Cut inside the second block, after the first one's marker: both belong to one write.
    tornAppend(file, text, text.indexOf('Work Block 43') + 20);
    expect(await repairTornAppend(file)).toBeGreaterThan(0);
    expect(readFileSync(file, 'utf8')).toBe(OLD_DIARY);
    expect(existsSync(journalOf(file))).toBe(false);
    const diary = await Diary.open(file);
    expect(diary.has('a')).toBe(false);
    expect(diary.lastNumber).toBe(41);
  });

  it('a torn write followed by someone else\'s text: only the torn part is cut out', async () => {
    const file = path.join(makeWorkspace(undefined, OLD_DIARY), 'diary.md');
    const text = `\n${block(42, 'a')}`;
    tornAppend(file, text, 30);
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n- Work block 42: by hand\n`);
    await repairTornAppend(file);
    expect(readFileSync(file, 'utf8')).toBe(`${OLD_DIARY}\n- Work block 42: by hand\n`);
  });

  it('a write that finished before the kill is kept', async () => {
    const file = path.join(makeWorkspace(undefined, OLD_DIARY), 'diary.md');
    const text = `\n${block(42, 'a')}`;
    tornAppend(file, text, Buffer.byteLength(text));
    expect(await repairTornAppend(file)).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(OLD_DIARY + text);
    expect((await Diary.open(file)).has('a')).toBe(true);
  });
});
