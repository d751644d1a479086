import { describe, expect, it } from 'vitest';
import { checkCron } from '../../src/health/openclaw-jobs-check.js';
import { envWithoutOpenClaw, fakeOpenClaw } from '../helpers/fake-openclaw.js';
import { failingJob, listing, okJob, rateLimitedJob } from './openclaw-jobs-fixtures.js';

const cronWith = (stdout: string) => checkCron({ env: fakeOpenClaw({ args: ['cron', 'list'], stdout }).env });

describe('checkCron against a fake openclaw on PATH', () => {
  it('calls `openclaw cron list --json` and finds nothing wrong with healthy jobs', async () => {
    const fake = fakeOpenClaw({ args: ['cron', 'list'], stdout: listing([okJob]) });
    const check = await checkCron({ env: fake.env });
    expect(check).toMatchObject({ status: 'healthy', jobs_checked: 1, failing_jobs: [] });
    expect(fake.calls()).toEqual([['cron', 'list', '--json']]);
  });

  it('the 2026.9 object with a failing job is unhealthy, naming the job and its last error', async () => {
    const check = await cronWith(listing([okJob, failingJob]));
    expect(check).toMatchObject({
      status: 'unhealthy',
      jobs_checked: 2,
      failing_jobs: [{ name: 'disk-report', id: '7f3a', last_error: 'command exited with code 3', consecutive_errors: 2 }],
    });
    expect(check.summary).toBe('1 of 2 job(s) failing: disk-report (command exited with code 3)');
  });

  it('only rate-limited failures are degraded', async () => {
    const check = await cronWith(listing([okJob, rateLimitedJob]));
    expect(check.status).toBe('degraded');
    expect(check.summary).toContain('rate-limited: morning-brief (provider rate_limit');
  });

  it('a rate-limited failure beside a real one is unhealthy', async () => {
    expect((await cronWith(listing([rateLimitedJob, failingJob]))).status).toBe('unhealthy');
  });

  it('cooldown and 429 count as rate limits; an error without lastError does not', async () => {
    const cooling = { ...failingJob, state: { lastStatus: 'error', lastError: 'model in cooldown for 60s' } };
    const throttled = { ...failingJob, id: 'b', state: { consecutiveErrors: 3, lastError: 'HTTP 429' } };
    expect((await cronWith(listing([cooling, throttled]))).status).toBe('degraded');
    const silent = { id: 'c', status: 'error' };
    expect(await cronWith(listing([silent]))).toMatchObject({ status: 'unhealthy', failing_jobs: [{ name: 'c', id: 'c' }] });
  });

  it('a disabled job is skipped even when failing', async () => {
    const check = await cronWith(listing([okJob, { ...failingJob, enabled: false }]));
    expect(check).toMatchObject({ status: 'healthy', jobs_checked: 1 });
  });

  it('the older bare array is read too', async () => {
    const check = await cronWith(JSON.stringify([okJob, failingJob]));
    expect(check).toMatchObject({ status: 'unhealthy', failing_jobs: [{ name: 'disk-report' }] });
  });

  it('output that is not JSON, or not a job list, is unknown with the reason', async () => {
    const garbage = await cronWith('Loading plugins…\n{"jobs": [');
    expect(garbage.status).toBe('unknown');
    expect(garbage.reason).toMatch(/^openclaw cron list --json printed no valid JSON .*Loading plugins/);
    expect(await cronWith('{"total": 0}')).toMatchObject({ status: 'unknown', reason: expect.stringContaining('neither a list of jobs') });
  });

  it('an unreachable gateway (exit 1, ECONNREFUSED) is unknown, with openclaw\'s message', async () => {
    const stderr = 'Gateway not reachable at ws://127.0.0.1:18789: connect ECONNREFUSED 127.0.0.1:18789\n';
    const check = await checkCron({ env: fakeOpenClaw({ exitCode: 1, stderr }).env });
    expect(check).toMatchObject({ status: 'unknown' });
    expect(check.reason).toBe(`openclaw cron list --json: exit 1: ${stderr.trim()}`);
  });

  it('a call that hangs past the time limit is unknown', async () => {
    const check = await checkCron({ env: fakeOpenClaw({ delayMs: 60_000, stdout: '[]' }).env, timeoutMs: 500 });
    expect(check).toMatchObject({ status: 'unknown', reason: 'openclaw cron list --json: no answer within 500 ms' });
  });

  it('no openclaw on PATH is skipped, not an error', async () => {
    const check = await checkCron({ env: envWithoutOpenClaw() });
    expect(check).toMatchObject({ status: 'skipped', reason: 'openclaw cron list: no openclaw on PATH' });
  });
});
