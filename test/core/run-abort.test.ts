import { describe, expect, it } from 'vitest';
import { RunAbort } from '../../src/core/run-abort.js';
import { RunnerError } from '../../src/shared/errors.js';

describe('RunAbort', () => {
  it('gives a signal aborted with the reason, whether it was asked for before or after the abort', () => {
    const reason = new RunnerError('runner.timedOut', 'timed out after 1s');
    const early = new RunAbort();
    const signal = early.signal;
    expect(signal.aborted).toBe(false);
    early.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);

    const late = new RunAbort();
    late.abort(reason);
    expect(late.signal.aborted).toBe(true);
    expect(late.signal.reason).toBe(reason);
    expect(late.signal).toBe(late.signal);
  });

  it('keeps the first reason and calls its listeners once', () => {
    const run = new RunAbort();
    const calls: string[] = [];
    run.onAbort(() => calls.push('before'));
    const first = new RunnerError('runner.cancelled', 'first');
    run.abort(first);
    run.abort(new RunnerError('runner.cancelled', 'second'));
    run.onAbort(() => calls.push('after'));
    expect(run.reason).toBe(first);
    expect(calls).toEqual(['before', 'after']);
    expect(() => run.throwIfAborted()).toThrow('first');
  });
});
