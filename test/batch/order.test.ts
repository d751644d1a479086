import { describe, expect, it } from 'vitest';
import { executionOrder, readinessOf } from '../../src/batch/order.js';
import { parseQueue, type BatchEntry } from '../../src/batch/queue-file.js';

const entry = (id: string, extra: Partial<BatchEntry> = {}): BatchEntry => ({ id, task: `task ${id}`, status: 'pending', ...extra });
const queue = (...entries: BatchEntry[]) => parseQueue(entries, 'batch-tasks.json');
const ids = (entries: { id: string }[]) => entries.map((e) => e.id);

describe('executionOrder', () => {
  it('runs high before medium before low, FIFO within a priority; unset is medium', () => {
    const q = queue(entry('a', { priority: 'low' }), entry('b'), entry('c', { priority: 'high' }), entry('d', { priority: 'medium' }), entry('e', { priority: 'high' }));
    expect(ids(executionOrder(q))).toEqual(['c', 'e', 'b', 'd', 'a']);
  });

  it('runs a task after what it depends on, even when it has a higher priority', () => {
    const q = queue(entry('a', { priority: 'low' }), entry('b', { priority: 'high', depends_on: ['a'] }), entry('c'));
    expect(ids(executionOrder(q))).toEqual(['c', 'a', 'b']);
  });

  it('treats dependencies that left the queue (completed) as done', () => {
    expect(ids(executionOrder(queue(entry('b', { depends_on: ['gone'] }))))).toEqual(['b']);
  });

  it('leaves out blocked entries, cycles and non-pending ones', () => {
    const q = queue(
      entry('f', { status: 'failed' }),
      entry('x', { depends_on: ['f'] }),
      entry('y', { depends_on: ['x'] }),
      entry('c1', { depends_on: ['c2'] }),
      entry('c2', { depends_on: ['c1'] }),
      entry('r', { status: 'running' }),
      entry('ok'),
    );
    expect(ids(executionOrder(q))).toEqual(['ok']);
    const readiness = readinessOf(q);
    expect(readiness.get('x')).toEqual({ state: 'blocked', blockedBy: ['f'] });
    expect(readiness.get('y')).toEqual({ state: 'blocked', blockedBy: ['f'] });
    expect(readiness.get('c1')).toEqual({ state: 'waiting', waitingFor: ['c2'] });
    expect(readiness.get('ok')).toEqual({ state: 'ready' });
  });
});
