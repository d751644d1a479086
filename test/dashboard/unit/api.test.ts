import { describe, expect, it } from 'vitest';
import { batchEntry, errorResponse, runsQuery } from '../../../src/dashboard/api.js';
import { RunnerError } from '../../../src/shared/errors.js';

const url = (query: string) => new URL(`http://dashboard.invalid/api/runs?${query}`);

describe('batchEntry', () => {
  it('takes the fields of `runner batch add`, ids as a list or comma-separated text', () => {
    expect(batchEntry({ task: 'Document the API', priority: 'high', depends_on: 'a1, b2', max_attempts: '4', result: '', run: 'hello' }))
      .toEqual({ task: 'Document the API', priority: 'high', depends_on: ['a1', 'b2'], max_attempts: 4, run: 'hello' });
    expect(batchEntry({ task: 'x', depends_on: ['a1'] })).toEqual({ task: 'x', depends_on: ['a1'] });
  });

  it('says what is wrong with a malformed entry', () => {
    const message = (body: unknown) => {
      try {
        batchEntry(body);
      } catch (error) {
        expect(error).toBeInstanceOf(RunnerError);
        expect((error as RunnerError).code).toBe('dashboard.badRequest');
        return (error as Error).message;
      }
      throw new Error('accepted');
    };
    expect(message([])).toMatch(/JSON object/);
    expect(message({ task: '  ' })).toMatch(/task text is required/);
    expect(message({ task: 'x', priority: 'urgent' })).toMatch(/priority: one of high, medium, low/);
    expect(message({ task: 'x', max_attempts: 0 })).toMatch(/max_attempts/);
    expect(message({ task: 'x', depends_on: 5 })).toMatch(/depends_on/);
    expect(message({ task: 'x', colour: 'red' })).toMatch(/unknown field\(s\): colour/);
    expect(message({ task: 'x', command: 'rm -rf ~' })).toMatch(/runner batch add --command/);
    expect(message({ task: 7 })).toMatch(/task: expected text/);
  });
});

describe('runsQuery', () => {
  it('reads the filters and the page', () => {
    const before = Date.now();
    const query = runsQuery(url('task=hello&failed=1&since=2h&offset=100&limit=50'), undefined);
    expect(query).toMatchObject({ task: 'hello', failed: true, offset: 100, limit: 50, untilMs: undefined });
    expect(query.sinceMs).toBeGreaterThanOrEqual(before - 7_200_000);
    expect(query.sinceMs).toBeLessThanOrEqual(Date.now() - 7_200_000);
    expect(runsQuery(url('until=2026-01-31T10:00:00Z'), undefined).untilMs).toBe(Date.parse('2026-01-31T10:00:00Z'));
    expect(runsQuery(url(''), undefined)).toMatchObject({ offset: 0, limit: 100, failed: false });
    expect(runsQuery(url('limit=100000'), undefined).limit).toBe(500);
  });

  it('refuses bad values with a 400, not a 500', () => {
    for (const query of ['task=Not A Task', 'since=yesterday-ish', 'until=2h', 'offset=-1', 'limit=0', 'since=2026-13-45']) {
      let caught: unknown;
      try {
        runsQuery(url(query), undefined);
      } catch (error) {
        caught = error;
      }
      expect(errorResponse(caught).status, query).toBe(400);
    }
  });
});

describe('errorResponse', () => {
  it('maps bad input to 4xx with its code, and hides the details of anything unexpected', () => {
    expect(errorResponse(new RunnerError('dashboard.unknownTask', 'unknown task "x"'))).toEqual({ status: 404, payload: { error: 'unknown task "x"', code: 'dashboard.unknownTask' } });
    expect(errorResponse(new RunnerError('batch.invalid', 'bad queue')).status).toBe(422);
    expect(errorResponse(new RunnerError('store.locked', 'busy')).status).toBe(503);
    expect(errorResponse(new TypeError('secret internals'))).toEqual({ status: 500, payload: { error: expect.not.stringContaining('secret'), code: 'dashboard.internal' } });
  });
});
