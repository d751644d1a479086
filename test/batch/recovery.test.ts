import { describe, expect, it } from 'vitest';
import { claimNext, settle } from '../../src/batch/claims.js';
import { parseQueue, type BatchEntry } from '../../src/batch/queue-file.js';
import { recoverEntries } from '../../src/batch/recovery.js';

const entry = (id: string, extra: Partial<BatchEntry> = {}): BatchEntry => ({ id, task: `task ${id}`, status: 'pending', ...extra });
const queue = (...entries: BatchEntry[]) => parseQueue(entries, 'batch-tasks.json');

describe('recoverEntries', () => {
  it('completes claimed entries already in the diary, releases the others, clears old complete ones', () => {
    const q = queue(
      entry('logged', { status: 'running', claimed_by: 'dead' }),
      entry('unlogged', { status: 'running', claimed_by: 'dead', attempts: 1 }),
      entry('old', { status: 'complete' }),
      entry('mine', { status: 'running', claimed_by: 'me' }),
      entry('waiting'),
    );
    const recovery = recoverEntries(q, new Set(['logged', 'waiting']), 'me');
    expect(recovery).toEqual({ completed: ['logged'], released: ['unlogged'], cleared: ['old'] });
    expect(q.map((e) => `${e.id}:${e.status}`)).toEqual(['unlogged:pending', 'mine:running', 'waiting:pending']);
    expect(q[0]).toEqual({ id: 'unlogged', task: 'task unlogged', status: 'pending', attempts: 1 });
  });
});

describe('claimNext', () => {
  it('claims planned entries together and an executable one alone', () => {
    const q = queue(entry('a'), entry('b'), entry('c', { command: 'true' }), entry('d'));
    const first = claimNext(q, { runId: 'r', exclude: new Set(), max: 10 });
    expect(first.claimed.map((e) => e.id)).toEqual(['a', 'b']);
    expect(q[0]).toMatchObject({ status: 'running', claimed_by: 'r' });
    const second = claimNext(q, { runId: 'r', exclude: new Set(['a', 'b']), max: 10 });
    expect(second.claimed.map((e) => e.id)).toEqual(['c']);
  });

  it('claims a dependent together with the planned entry it waits for, but not one waiting on a command', () => {
    const q = queue(entry('a'), entry('b', { depends_on: ['a'] }), entry('c', { command: 'true', priority: 'low' }), entry('d', { depends_on: ['c'], priority: 'low' }));
    expect(claimNext(q, { runId: 'r', exclude: new Set(), max: 10 }).claimed.map((e) => e.id)).toEqual(['a', 'b']);
  });

  it('respects the limit', () => {
    const q = queue(entry('a'), entry('b'), entry('c'));
    expect(claimNext(q, { runId: 'r', exclude: new Set(), max: 2 }).claimed).toHaveLength(2);
  });
});

describe('settle', () => {
  it('removes done entries, counts failed attempts, and only touches its own claims', () => {
    const q = queue(
      entry('done', { status: 'running', claimed_by: 'r' }),
      entry('fail', { status: 'running', claimed_by: 'r', max_attempts: 2 }),
      entry('last', { status: 'running', claimed_by: 'r', attempts: 2 }),
      entry('other', { status: 'running', claimed_by: 'x' }),
    );
    const settled = settle(q, 'r', [
      { id: 'done', kind: 'done' },
      { id: 'fail', kind: 'failed', error: 'e1' },
      { id: 'last', kind: 'failed', error: 'e2' },
      { id: 'other', kind: 'done' },
    ]);
    expect(q.map((e) => `${e.id}:${e.status}:${e.attempts ?? 0}`)).toEqual(['fail:pending:1', 'last:failed:3', 'other:running:0']);
    expect(settled.exhausted.map((e) => e.id)).toEqual(['last']);
    expect(settled.retrying.map((e) => e.id)).toEqual(['fail']);
  });
});
