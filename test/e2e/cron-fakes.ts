import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Stand-ins for `crontab` and `openclaw` for the fast e2e leg, so no test touches the real user's
 * crontab or needs a gateway (test/openclaw-real/ runs the real OpenClaw). Both are small Node
 * scripts keeping their state in a file of the test's own.
 */

// crontab(1) as cronie and Vixie cron behave: -l prints the table or fails with "no crontab for
// <user>", - replaces the table with stdin.
const FAKE_CRONTAB = `
const fs = require('node:fs');
const file = process.env.FAKE_CRONTAB_FILE;
const mode = process.argv[2];
if (mode === '-l') {
  if (!fs.existsSync(file)) { process.stderr.write('no crontab for tester\\n'); process.exit(1); }
  process.stdout.write(fs.readFileSync(file, 'utf8'));
} else if (mode === '-') {
  const table = fs.readFileSync(0, 'utf8');
  if (table !== '' && !table.endsWith('\\n')) { process.stderr.write('crontab: premature EOF\\n'); process.exit(1); }
  fs.writeFileSync(file, table);
} else { process.stderr.write('usage: crontab -l | crontab -\\n'); process.exit(2); }
`;

// openclaw cron list [--all] --json | cron add --name N ... --json | cron rm <id> --json, with the
// shapes the real 2026.9.6 prints. Every call is appended to FAKE_OPENCLAW_CALLS.
// \`cron list\` answers every job at once, as 2026.9.6 does (it reads the gateway's pages itself and
// takes no --offset or --limit). With FAKE_OPENCLAW_PAGE_SIZE it answers one page, as a CLI passing
// the gateway's bounded page through: the first without --offset/--limit, then the page asked for.
const FAKE_OPENCLAW = `
const fs = require('node:fs');
const file = process.env.FAKE_OPENCLAW_JOBS;
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_OPENCLAW_CALLS, JSON.stringify(args) + '\\n');
const jobs = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
const save = () => fs.writeFileSync(file, JSON.stringify(jobs));
const flag = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
if (process.env.FAKE_OPENCLAW_DOWN) { process.stderr.write('Gateway not reachable: connect ECONNREFUSED 127.0.0.1:18789\\n'); process.exit(1); }
const [group, command] = args;
if (group !== 'cron') process.exit(2);
if (command === 'list') {
  const shown = args.includes('--all') ? jobs : jobs.filter((job) => job.enabled);
  const pageSize = Number(process.env.FAKE_OPENCLAW_PAGE_SIZE) || 0;
  const paging = args.includes('--offset') || args.includes('--limit');
  if (paging && !pageSize) { process.stderr.write("error: unknown option '" + (args.includes('--offset') ? '--offset' : '--limit') + "'\\n"); process.exit(1); }
  const offset = Number(flag('--offset') || 0);
  const limit = Math.min(Number(flag('--limit') || pageSize || 200), 200);
  const page = pageSize ? shown.slice(offset, offset + limit) : shown;
  const hasMore = offset + page.length < shown.length;
  process.stdout.write(JSON.stringify({ jobs: page, total: shown.length, offset, limit, hasMore, nextOffset: hasMore ? offset + page.length : null }));
} else if (command === 'add') {
  const job = { id: 'job-' + (jobs.length + 1), name: flag('--name'), enabled: !args.includes('--disabled'), args };
  jobs.push(job); save();
  process.stdout.write(JSON.stringify(job));
} else if (command === 'rm') {
  const i = jobs.findIndex((job) => job.id === args[2]);
  if (i < 0) { process.stderr.write('unknown job ' + args[2] + '\\n'); process.exit(1); }
  jobs.splice(i, 1); save();
  process.stdout.write(JSON.stringify({ ok: true, removed: true }));
} else process.exit(2);
`;

function script(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!${process.execPath}\n${body}`);
  chmodSync(file, 0o755);
  return file;
}

/** A fake crontab whose table is `table` (absent until the first write), and the env that selects it. */
export function fakeCrontab(): { table: string; env: Record<string, string> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-crontab-'));
  const table = path.join(dir, 'table');
  return { table, env: { RUNNER_CRONTAB_BIN: script(dir, 'crontab', FAKE_CRONTAB), FAKE_CRONTAB_FILE: table } };
}

/** What a {@link fakeOpenClaw} starts with. */
export interface FakeOpenClawSetup {
  /** Jobs the gateway has already (each needs `id`, `name` and `enabled`). */
  jobs?: readonly object[];
  /** Answer `cron list` one page of this many jobs at a time (see FAKE_OPENCLAW above). */
  pageSize?: number;
}

/** A fake `openclaw` first on PATH, its jobs in `jobs` (JSON array) and its calls in `calls` (JSON lines). */
export function fakeOpenClaw(setup: FakeOpenClawSetup = {}): { jobs: string; calls: string; env: Record<string, string> } {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-openclaw-'));
  script(dir, 'openclaw', FAKE_OPENCLAW);
  const jobs = path.join(dir, 'jobs.json');
  const calls = path.join(dir, 'calls.jsonl');
  writeFileSync(calls, '');
  if (setup.jobs) writeFileSync(jobs, JSON.stringify(setup.jobs));
  const env: Record<string, string> = { PATH: `${dir}:${process.env.PATH ?? ''}`, OPENCLAW_BIN: '', FAKE_OPENCLAW_JOBS: jobs, FAKE_OPENCLAW_CALLS: calls };
  if (setup.pageSize !== undefined) env.FAKE_OPENCLAW_PAGE_SIZE = String(setup.pageSize);
  return { jobs, calls, env };
}
