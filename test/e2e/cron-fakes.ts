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

// openclaw cron list [--all] --json | cron add … --json | cron rm <id> --json | cron scratch <id>
// [--file F | --unset] [--expected-revision N] --json, with the shapes the real 2026.9.6 prints
// (a job added is stored as the gateway shows it: schedule, payload, delivery). Every call is
// appended to FAKE_OPENCLAW_CALLS.
// \`cron list\` answers every job at once, as 2026.9.6 does (it reads the gateway's pages itself and
// takes no --offset or --limit). With FAKE_OPENCLAW_PAGE_SIZE it answers one page, as a CLI passing
// the gateway's bounded page through: the first without --offset/--limit, then the page asked for.
// FAKE_OPENCLAW_FAIL (a JSON array of leading arguments) makes matching calls fail with exit 1;
// FAKE_OPENCLAW_SCRATCH_EDIT (text) is an operator's edit of the scratch landing just before the
// runner's first write, so that write's --expected-revision is stale.
const FAKE_OPENCLAW = `
const fs = require('node:fs');
const file = process.env.FAKE_OPENCLAW_JOBS;
const scratchFile = file + '.scratch';
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_OPENCLAW_CALLS, JSON.stringify(args) + '\\n');
const jobs = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : [];
const scratches = fs.existsSync(scratchFile) ? JSON.parse(fs.readFileSync(scratchFile, 'utf8')) : {};
const save = () => fs.writeFileSync(file, JSON.stringify(jobs));
const saveScratches = () => fs.writeFileSync(scratchFile, JSON.stringify(scratches));
const flag = (name) => { const i = args.indexOf(name); return i < 0 ? undefined : args[i + 1]; };
const flags = (name) => args.flatMap((arg, i) => (arg === name ? [args[i + 1]] : []));
const fail = (message) => { process.stdout.write(JSON.stringify({ ok: false, error: { type: 'cli_error', message } }, null, 2)); process.stderr.write(message + '\\n'); process.exit(1); };
if (process.env.FAKE_OPENCLAW_DOWN) { process.stderr.write('Gateway not reachable: connect ECONNREFUSED 127.0.0.1:18789\\n'); process.exit(1); }
const failing = process.env.FAKE_OPENCLAW_FAIL ? JSON.parse(process.env.FAKE_OPENCLAW_FAIL) : undefined;
if (failing && failing.every((arg, i) => args[i] === arg)) fail('injected failure of ' + failing.join(' '));
const [group, command] = args;
if (group === 'system' && command === 'event') { process.stdout.write(JSON.stringify({ ok: true })); process.exit(0); }
if (group !== 'cron') process.exit(2);
// Ids are never reused, as OpenClaw's UUIDs are not.
const nextId = () => { const f = file + '.next'; const n = fs.existsSync(f) ? Number(fs.readFileSync(f, 'utf8')) : 1; fs.writeFileSync(f, String(n + 1)); return n; };
const every = (text) => { const m = /^(\\d+)(s|m|h|d)$/.exec(text); return Number(m[1]) * { s: 1000, m: 60000, h: 3600000, d: 86400000 }[m[2]]; };
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
  const env = Object.fromEntries(flags('--command-env').map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
  const argv = flag('--command-argv') ? JSON.parse(flag('--command-argv')) : flag('--command') !== undefined ? ['sh', '-lc', flag('--command')] : undefined;
  const job = {
    id: 'job-' + nextId(),
    name: flag('--name'),
    ...(flag('--description') !== undefined ? { description: flag('--description') } : {}),
    enabled: !args.includes('--disabled'),
    schedule: flag('--cron') !== undefined ? { kind: 'cron', expr: flag('--cron'), ...(flag('--tz') ? { tz: flag('--tz') } : {}) } : { kind: 'every', everyMs: every(flag('--every')), anchorMs: 1 },
    sessionTarget: 'isolated',
    payload: argv ? { kind: 'command', argv, ...(flag('--command-cwd') ? { cwd: flag('--command-cwd') } : {}), ...(Object.keys(env).length ? { env } : {}), ...(flag('--timeout-seconds') ? { timeoutSeconds: Number(flag('--timeout-seconds')) } : {}) } : { kind: 'agentTurn', message: flag('--message') },
    delivery: args.includes('--announce') ? { mode: 'announce', channel: flag('--channel') || 'last', ...(flag('--to') ? { to: flag('--to') } : {}) } : { mode: 'none', channel: 'last' },
    state: {},
    status: 'idle',
    args,
  };
  jobs.push(job); save();
  process.stdout.write(JSON.stringify(job, null, 2));
} else if (command === 'rm') {
  const i = jobs.findIndex((job) => job.id === args[2]);
  if (i < 0) fail('Automation not found: ' + args[2] + '. Run openclaw cron list to see recent automation ids.');
  jobs.splice(i, 1); save();
  process.stdout.write(JSON.stringify({ ok: true, removed: true }));
} else if (command === 'scratch') {
  const id = args[2];
  if (!jobs.some((job) => job.id === id)) fail('Automation not found: ' + id);
  const current = scratches[id] || { content: null, revision: 0 };
  const answer = (ok) => JSON.stringify({ ...(ok ? { ok: true } : {}), scratch: current.content === null ? null : { content: current.content, revision: current.revision, updatedAtMs: 1 }, currentRevision: current.revision, maxBytes: 262144 }, null, 2);
  const writing = flag('--file') !== undefined || args.includes('--unset');
  if (!writing) { process.stdout.write(answer(false)); process.exit(0); }
  if (process.env.FAKE_OPENCLAW_SCRATCH_EDIT !== undefined && !scratches.editedByOperator) {
    current.content = process.env.FAKE_OPENCLAW_SCRATCH_EDIT; current.revision += 1;
    scratches[id] = current; scratches.editedByOperator = true; saveScratches();
  }
  const expected = flag('--expected-revision');
  if (expected !== undefined && Number(expected) !== current.revision) fail('cron scratch changed concurrently (current revision ' + current.revision + ')');
  current.content = args.includes('--unset') ? null : fs.readFileSync(flag('--file'), 'utf8');
  current.revision += 1;
  scratches[id] = current; saveScratches();
  process.stdout.write(answer(true));
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
  /** Scratches the gateway holds, by job id. */
  scratches?: Record<string, { content: string | null; revision: number }>;
}

/** A fake gateway's state, and the environment that selects it. */
export interface FakeOpenClawGateway {
  /** The folder holding the fake `openclaw`. */
  dir: string;
  /** Its jobs (a JSON array). */
  jobs: string;
  /** Its calls (JSON lines). */
  calls: string;
  /** Scratches by job id (`{"<id>": {"content", "revision"}}`). */
  scratches: string;
  env: Record<string, string>;
}

/** A fake `openclaw` first on PATH, its jobs in `jobs` (JSON array) and its calls in `calls` (JSON lines). */
export function fakeOpenClaw(setup: FakeOpenClawSetup = {}): FakeOpenClawGateway {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-openclaw-'));
  script(dir, 'openclaw', FAKE_OPENCLAW);
  const jobs = path.join(dir, 'jobs.json');
  const calls = path.join(dir, 'calls.jsonl');
  writeFileSync(calls, '');
  if (setup.jobs) writeFileSync(jobs, JSON.stringify(setup.jobs));
  if (setup.scratches) writeFileSync(`${jobs}.scratch`, JSON.stringify(setup.scratches));
  const env: Record<string, string> = { PATH: `${dir}:${process.env.PATH ?? ''}`, OPENCLAW_BIN: '', FAKE_OPENCLAW_JOBS: jobs, FAKE_OPENCLAW_CALLS: calls };
  if (setup.pageSize !== undefined) env.FAKE_OPENCLAW_PAGE_SIZE = String(setup.pageSize);
  return { dir, jobs, calls, scratches: `${jobs}.scratch`, env };
}
