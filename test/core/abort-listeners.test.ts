import { describe, expect, it } from 'vitest';
import { onAbort } from '../../src/core/abort-listeners.js';

describe('onAbort', () => {
  it('calls every listener still listening when the signal aborts, once', () => {
    const controller = new AbortController();
    const calls: string[] = [];
    onAbort(controller.signal, () => calls.push('a'));
    const stopB = onAbort(controller.signal, () => calls.push('b'));
    onAbort(controller.signal, () => calls.push('c'));
    stopB();
    controller.abort();
    controller.abort();
    expect(calls).toEqual(['a', 'c']);
  });

  it('calls a listener at once on a signal already aborted', () => {
    const calls: number[] = [];
    const stop = onAbort(AbortSignal.abort(), () => calls.push(1));
    expect(calls).toEqual([1]);
    stop();
  });

  it('keeps signals apart', () => {
    const first = new AbortController();
    const second = new AbortController();
    const calls: string[] = [];
    onAbort(first.signal, () => calls.push('first'));
    onAbort(second.signal, () => calls.push('second'));
    second.abort();
    expect(calls).toEqual(['second']);
  });
});
