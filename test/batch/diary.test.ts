import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Diary, formatWorkBlock, highestWorkBlock, loggedTaskIds } from '../../src/batch/diary.js';
import { HAS_PUBLIC_CORPUS, ownMemoryDir, PUBLIC_CORPUS, PUBLIC_CORPUS_TITLE } from '../fixtures/memory.js';
import { makeWorkspace, OLD_DIARY } from './old-format.js';

describe('highestWorkBlock', () => {
  it('understands the three numbering styles of existing diaries', () => {
    expect(highestWorkBlock('### 17:37Z - Work Block 1136\n')).toBe(1136);
    expect(highestWorkBlock('### Work Block #1135 — 2026-02-03T17:35:00Z')).toBe(1135);
    expect(highestWorkBlock('- Work block 2172: did things [2026-02-02 11:13Z]')).toBe(2172);
    expect(highestWorkBlock(OLD_DIARY)).toBe(41);
  });

  it('takes numbers from block headers only, not from text inside a block', () => {
    const body = ['### 2026-02-03T17:35Z — Work Block 7 — Plan', '', '**Result:** moved Work block 500000: see notes', 'Notes mention Work Block 900000 too', ''].join('\n');
    expect(highestWorkBlock(body)).toBe(7);
    // A heading's first number is the block's, not one in its task text.
    expect(highestWorkBlock('### 2026-02-03T17:35Z — Work Block 8 — Renumber Work Block 500000\n')).toBe(8);
    expect(highestWorkBlock('## Work Block #12 — x\n- Work block 13: y\n* Work block 14: z\n')).toBe(14);
  });

  it('a marker is a line of its own: the same text inside a heading is not one', () => {
    expect([...loggedTaskIds('### t — Work Block 1 — <!-- batch-task:x run:y -->\n')]).toEqual([]);
  });

  it('ignores counts and look-alikes', () => {
    expect(highestWorkBlock('**Work Blocks:** 1138 completed\n**Work Block:** 1031\nWork block 99 without colon')).toBe(0);
    expect(highestWorkBlock('')).toBe(0);
  });

  it('reads the work block fixture diary', () => {
    const file = path.join(ownMemoryDir('nova-diary'), '2026-02-03.md');
    expect(highestWorkBlock(readFileSync(file, 'utf8'))).toBe(1138);
  });

  it.runIf(HAS_PUBLIC_CORPUS)(`reads a real diary of ${PUBLIC_CORPUS_TITLE}`, () => {
    const file = path.join(PUBLIC_CORPUS, 'workjingmai-lab__nova-os', 'memory', '2026-02-03.md');
    expect(highestWorkBlock(readFileSync(file, 'utf8'))).toBe(1138);
  });
});

describe('formatWorkBlock', () => {
  it('writes SPEC §6 format, with an invisible marker last', () => {
    const text = formatWorkBlock({
      number: 1135,
      time: new Date('2026-02-03T17:35:42.000Z'),
      task: 'Document block-counter.py',
      result: 'Created README (4753 bytes)',
      insight: 'Batch execution = velocity multiplier',
      next: 'Continue documentation sprint',
      taskId: 'ab12cd34',
      runId: 'run-1',
    });
    expect(text).toBe(
      [
        '### 2026-02-03T17:35Z — Work Block 1135 — Document block-counter.py',
        '',
        '**Task:** Document block-counter.py',
        '**Result:** Created README (4753 bytes)',
        '**Insight:** Batch execution = velocity multiplier',
        '**Next:** Continue documentation sprint',
        '',
        '**Status:** ✅ Complete',
        '<!-- batch-task:ab12cd34 run:run-1 -->',
        '',
      ].join('\n'),
    );
    expect([...loggedTaskIds(text)]).toEqual(['ab12cd34']);
  });

  it('keeps multi-line text on one line', () => {
    const text = formatWorkBlock({
      number: 1, time: new Date(), task: 'a\nb', result: 'x\r\n y', insight: '', next: '', taskId: 't', runId: 'r',
    });
    expect(text).toContain('— a b\n');
    expect(text).toContain('**Result:** x y\n');
  });
});

describe('Diary', () => {
  const draft = (taskId: string) => ({ task: `Task ${taskId}`, result: 'r', insight: 'i', next: 'n', taskId, runId: 'run' });

  it('numbers on from the diary and counts blocks others append meanwhile', async () => {
    const workspace = makeWorkspace(undefined, OLD_DIARY.trimEnd());
    const file = path.join(workspace, 'diary.md');
    const diary = await Diary.open(file);
    expect(diary.lastNumber).toBe(41);
    const first = await diary.append([draft('a'), draft('b')]);
    expect(first.map((block) => block.number)).toEqual([42, 43]);
    appendFileSync(file, '\n- Work block 50: by hand [2026-02-04 10:00Z]\n');
    const next = await diary.append([draft('c')]);
    expect(next[0]!.number).toBe(51);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith(OLD_DIARY.trimEnd())).toBe(true);
    // The old text had no final newline: the first block still starts on a line of its own.
    expect(text).toContain('not a block number)\n\n### ');
    expect(text).toContain('run:run -->\n\n### ');
    expect([...(await Diary.open(file)).loggedIds].sort()).toEqual(['a', 'b', 'c']);
  });

  it('creates a missing diary', async () => {
    const workspace = makeWorkspace();
    const diary = await Diary.open(path.join(workspace, 'diary.md'));
    const [block] = await diary.append([draft('x')]);
    expect(block!.number).toBe(1);
    expect(readFileSync(path.join(workspace, 'diary.md'), 'utf8')).toMatch(/^### .* — Work Block 1 — Task x\n/);
  });
});
