import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIARY_TAIL_BYTES, parseWorkBlocks, readLastWorkBlocks } from '../../src/batch/diary-tail.js';
import { formatWorkBlock } from '../../src/batch/diary.js';

const block = (number: number, task = `Task ${number}`) =>
  formatWorkBlock({ number, time: new Date(Date.UTC(2026, 1, 3, 17, number % 60)), task, result: `result ${number}`, insight: `insight ${number}`, next: `next ${number}`, taskId: `t${number}`, runId: `r${number}` });

describe('work blocks read back from the diary', () => {
  it('parses blocks as the executor writes them, newest first', () => {
    const text = `# Diary\n\nsome notes\n\n${block(1)}\n${block(2, 'Document — the API')}`;
    expect(parseWorkBlocks(text, 10)).toEqual([
      { number: 2, time: '2026-02-03T17:02Z', task: 'Document — the API', result: 'result 2', insight: 'insight 2', next: 'next 2', status: '✅ Complete' },
      { number: 1, time: '2026-02-03T17:01Z', task: 'Task 1', result: 'result 1', insight: 'insight 1', next: 'next 1', status: '✅ Complete' },
    ]);
    expect(parseWorkBlocks(text, 1).map((b) => b.number)).toEqual([2]);
  });

  it('reads hand-written headings of the old tools', () => {
    expect(parseWorkBlocks('### 17:37Z - Work Block #1136 - Hand written\n**Result:** ok\n', 5)).toMatchObject([{ number: 1136, time: '17:37Z', task: 'Hand written', result: 'ok' }]);
  });

  it('reads only the end of a big diary, and a missing diary has no blocks', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'taskrunner-diary-tail-'));
    const file = path.join(dir, 'diary.md');
    expect(await readLastWorkBlocks(file, 5)).toEqual([]);
    writeFileSync(file, 'x'.repeat(DIARY_TAIL_BYTES * 4));
    for (let n = 1; n <= 400; n++) appendFileSync(file, `\n${block(n)}`);
    const blocks = await readLastWorkBlocks(file, 5);
    expect(blocks.map((b) => b.number)).toEqual([400, 399, 398, 397, 396]);
  });
});
