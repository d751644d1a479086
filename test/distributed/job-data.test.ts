import { describe, expect, it } from 'vitest';
import { parseJobData } from '../../src/distributed/job-data.js';
import { taskOfQueue, taskQueueName } from '../../src/distributed/queue-names.js';
import { checkCron, scheduleIdFor } from '../../src/distributed/job-schedulers.js';
import { jobOptionsFor } from '../../src/distributed/enqueue.js';

describe('job data', () => {
  it('accepts a task name and its arguments', () => {
    expect(parseJobData({ task: 'memory_capture', args: ['--limit', '3'], dryRun: true, timeout: '10m' })).toEqual({
      ok: true,
      data: { task: 'memory_capture', args: ['--limit', '3'], dryRun: true, timeout: '10m' },
    });
  });

  it('refuses anything else, saying where', () => {
    expect(parseJobData({ task: 'x', args: [], code: 'process.exit(1)' })).toMatchObject({ ok: false, problem: expect.stringMatching(/invalid job data/) });
    expect(parseJobData({ task: '../evil', args: [] })).toMatchObject({ ok: false, problem: expect.stringMatching(/at task/) });
    expect(parseJobData({ task: 'x', args: 'rm -rf /' })).toMatchObject({ ok: false, problem: expect.stringMatching(/at args/) });
    expect(parseJobData(null)).toMatchObject({ ok: false });
    expect(parseJobData({ task: 'x', args: [1] })).toMatchObject({ ok: false });
  });
});

describe('queue names', () => {
  it('one queue per task, and back', () => {
    expect(taskQueueName('memory_capture')).toBe('task-memory_capture');
    expect(taskOfQueue('task-memory_capture')).toBe('memory_capture');
    expect(taskOfQueue('other')).toBeUndefined();
    expect(taskOfQueue('task-Bad Name')).toBeUndefined();
  });
});

describe('schedules', () => {
  it('checks the cron expression and the zone, naming the option', () => {
    expect(checkCron(' 0  3 * * * ', 'Europe/Berlin')).toBe('0 3 * * *');
    expect(checkCron('*/5 * * * * *', undefined)).toBe('*/5 * * * * *');
    expect(() => checkCron('61 * * * *', undefined)).toThrow(/--cron/);
    expect(() => checkCron('* * *', undefined)).toThrow(/--cron: .* has 3 fields/);
    expect(() => checkCron('0 3 * * *', 'Nowhere/Else')).toThrow(/--tz/);
  });

  it('a default id made of the task, the expression and a short stable hash of the arguments', () => {
    expect(scheduleIdFor('ta', '*/5 * * * *', [])).toBe('ta@*/5_*_*_*_*');
    const withArgs = scheduleIdFor('ta', '*/5 * * * *', ['a', 'b']);
    expect(withArgs).toMatch(/^ta@\*\/5_\*_\*_\*_\*#[0-9a-f]{8}$/);
    expect(scheduleIdFor('ta', '*/5 * * * *', ['a', 'b'])).toBe(withArgs);
    // Other arguments (or the same words split otherwise) are another schedule.
    expect(scheduleIdFor('ta', '*/5 * * * *', ['a b'])).not.toBe(withArgs);
    expect(scheduleIdFor('ta', '*/5 * * * *', ['b', 'a'])).not.toBe(withArgs);
    expect(scheduleIdFor('ta', '* * * * *', ['a'], 'nightly')).toBe('nightly');
    expect(() => scheduleIdFor('ta', '* * * * *', [], 'has space')).toThrow(/--id/);
  });
});

describe('job options', () => {
  it('attempts from the config when the task is not known here, backoff from retry settings, bounded retention', () => {
    expect(jobOptionsFor({ retry: { attempts: 5, minTimeoutMs: 250 } }, undefined, 'x')).toEqual({
      attempts: 5,
      backoff: { type: 'exponential', delay: 250 },
      removeOnComplete: { count: 1000 },
      removeOnFail: { count: 5000 },
    });
    expect(jobOptionsFor({ tasks: { x: { attempts: 2 } } }, undefined, 'x').attempts).toBe(2);
  });
});
