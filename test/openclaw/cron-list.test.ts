import { describe, expect, it } from 'vitest';
import { readCronJobs } from '../../src/openclaw/cron-list.js';
import { fakeOpenClaw, type FakeAnswer } from '../helpers/fake-openclaw.js';

const jobs = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ id: `j${from + i}`, name: `job-${from + i}` }));
const page = (from: number, count: number, total: number) =>
  JSON.stringify({ jobs: jobs(from, count), total, offset: from, limit: 200, hasMore: from + count < total, nextOffset: from + count < total ? from + count : null });
const read = (answers: FakeAnswer[]) => readCronJobs({ timeoutMs: 10_000, env: fakeOpenClaw(answers).env });

describe('readCronJobs', () => {
  it('joins the pages of a list that says hasMore, asking for each by offset', async () => {
    const fake = fakeOpenClaw([
      { args: ['cron', 'list', '--json', '--offset', '200'], stdout: page(200, 200, 450) },
      { args: ['cron', 'list', '--json', '--offset', '400'], stdout: page(400, 50, 450) },
      { args: ['cron', 'list'], stdout: page(0, 200, 450) },
    ]);
    const listing = await readCronJobs({ timeoutMs: 10_000, env: fake.env });
    expect(listing.kind === 'ok' && listing.jobs.map((job) => job.id)).toEqual(jobs(0, 450).map((job) => job.id));
    expect(fake.calls().map((args) => args.slice(3).join(' '))).toEqual(['', '--offset 200 --limit 200', '--offset 400 --limit 200']);
  });

  it('a list whose jobs do not add up to its total is unreadable, not shorter', async () => {
    expect(await read([{ args: ['cron', 'list'], stdout: JSON.stringify({ jobs: jobs(0, 3), total: 5, hasMore: false }) }])).toEqual({
      kind: 'unreadable',
      reason: 'openclaw cron list --json listed 3 of 5 jobs',
    });
  });

  it('a list that changes between pages is unreadable', async () => {
    const listing = await read([
      { args: ['cron', 'list', '--json', '--offset'], stdout: page(200, 10, 211) },
      { args: ['cron', 'list'], stdout: page(0, 200, 210) },
    ]);
    expect(listing).toEqual({ kind: 'unreadable', reason: 'the job list changed while it was read (210 jobs, then 211); try again' });
  });

  it('a page that says hasMore but holds no job does not loop', async () => {
    const listing = await read([{ args: ['cron', 'list'], stdout: JSON.stringify({ jobs: [], hasMore: true }) }]);
    expect(listing).toEqual({ kind: 'unreadable', reason: 'openclaw cron list --json listed 0 jobs and has more, but its last page was empty' });
  });
});
