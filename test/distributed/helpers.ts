import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe } from 'vitest';
import { makeHome, startCli, writeFile } from '../helpers/cli.js';
import type { BackendKind } from '../../src/config/queue.js';
import { openQueueConnection, type QueueConnection } from '../../src/distributed/connection.js';

/** The servers the distributed suite runs against (the machine's own Redis and PostgreSQL). */
export const BACKENDS: Record<BackendKind, string> = {
  redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  postgres: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
};

/** One server of the suite, as the tests that loop over the backends want it. */
export interface Server {
  kind: BackendKind;
  url: string;
}

/** {@link BACKENDS} as a list, for `for (const server of SERVERS)` and `describe.each(SERVERS)`. */
export const SERVERS: readonly Server[] = (Object.keys(BACKENDS) as BackendKind[]).map((kind) => ({ kind, url: BACKENDS[kind] }));

/**
 * Whether the server of `kind` answers. When it does not, the suite is skipped with the reason,
 * except under CI=true, where a missing server is a failure: the distributed tests must run there.
 */
async function serverProblem(kind: BackendKind): Promise<string | undefined> {
  const url = new URL(BACKENDS[kind]);
  const port = Number(url.port || (kind === 'redis' ? 6379 : 5432));
  const ok = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: url.hostname, port, timeout: 1500 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
  if (ok) return undefined;
  const unreachable = `${kind} is not reachable at ${BACKENDS[kind]}`;
  if (process.env.CI === 'true') throw new Error(`${unreachable}: the distributed tests must run on CI (CI=true)`);
  const reason = `${unreachable}: the distributed tests against it are skipped`;
  console.warn(reason);
  return reason;
}

/** A prefix (Redis key prefix, PostgreSQL schema) of its own for one test file's run. */
function uniquePrefix(name: string): string {
  return `t_${name}_${process.pid}_${randomBytes(3).toString('hex')}`;
}

/** Open the queue server the way the CLI does (same connection code), for adding and inspecting jobs. */
export function openTestConnection(kind: BackendKind, prefix: string): Promise<QueueConnection> {
  const url = BACKENDS[kind];
  return openQueueConnection({ kind, url, displayUrl: url, prefix }, { bullmq: true });
}

/** Remove everything a test file left in the server: its keys (Redis) or its schema (PostgreSQL). */
async function dropPrefix(connection: QueueConnection): Promise<void> {
  const { prefix } = connection.target;
  if (connection.redis) {
    let cursor = '0';
    do {
      const [next, keys] = await connection.redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await connection.redis.del(...keys);
    } while (cursor !== '0');
  } else {
    await connection.pg!.query(`DROP SCHEMA IF EXISTS "${prefix}" CASCADE`);
  }
}

/**
 * Run `use` on a connection of its own to the server of `kind`, under `prefix`, closed after it:
 * for a test that holds none (the CLI's connection code, without BullMQ).
 */
export async function withServer<T>(kind: BackendKind, prefix: string, use: (connection: QueueConnection) => Promise<T>): Promise<T> {
  const url = BACKENDS[kind];
  const connection = await openQueueConnection({ kind, url, displayUrl: url, prefix }, { bullmq: false });
  try {
    return await use(connection);
  } finally {
    await connection.close();
  }
}

/** {@link dropPrefix} for a test that holds no connection to the server. */
export function dropServerPrefix(kind: BackendKind, prefix: string): Promise<void> {
  return withServer(kind, prefix, dropPrefix);
}

/** What the tests of one server get from {@link describeOnServers}. */
export interface ServerSuite extends Server {
  /** The suite's own prefix (Redis key prefix, PostgreSQL schema), dropped after its last test. */
  readonly prefix: string;
  /**
   * A connection to the server under {@link prefix}, BullMQ's included (for adding and inspecting
   * jobs): opened before the first test, closed after the last. Only with `{ connection: true }`.
   */
  readonly connection: QueueConnection;
  /** One more prefix of the suite's, dropped with it: a queue of a test's own. */
  newPrefix(): string;
  /** Processes the test started (workers, CLIs): killed after the test if they still run. */
  track(...children: ChildProcess[]): void;
  /** A path in a temporary folder of the suite's (the test tasks' marks), removed after it. */
  tempFile(name: string): string;
}

/** Options of {@link describeOnServers}. */
export interface ServerSuiteOptions {
  /** Open {@link ServerSuite.connection} before the suite's tests. */
  connection?: boolean;
}

/**
 * The one set-up of the distributed suites: `describe(title on <kind>)` once per server of
 * {@link SERVERS}, skipped with the reason in its title when the server does not answer (a failure
 * under CI=true, see {@link serverProblem}); a prefix of its own, dropped after the suite with
 * every other prefix it made; the processes its tests started killed after each test.
 *
 * @example
 * ```ts
 * await describeOnServers('runner worker', (suite) => {
 *   it('runs a job', async () => {
 *     const { home } = makeQueueHome(suite.kind, suite.prefix);
 *     suite.track(await startWorkerProcess(home, ['--tasks', 'ta']));
 *   });
 * }, { connection: true });
 * ```
 */
export async function describeOnServers(title: string, body: (suite: ServerSuite) => void, options: ServerSuiteOptions = {}): Promise<void> {
  for (const server of SERVERS) {
    const problem = await serverProblem(server.kind);
    const name = `${title} on ${server.kind}`;
    if (problem !== undefined) {
      describe.skip(`${name} (skipped: ${problem})`, () => body(serverSuite(server, title, options)));
      continue;
    }
    describe(name, () => body(serverSuite(server, title, options)));
  }
}

// Registers the suite's hooks; called inside its describe().
function serverSuite(server: Server, title: string, options: ServerSuiteOptions): ServerSuite {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 20);
  const prefix = uniquePrefix(`${slug}_${server.kind}`);
  const prefixes = [prefix];
  const children: ChildProcess[] = [];
  let connection: QueueConnection | undefined;
  let folder: string | undefined;

  beforeAll(async () => {
    if (options.connection) connection = await openTestConnection(server.kind, prefix);
  });
  afterEach(async () => {
    const running = children.splice(0).filter((child) => child.exitCode === null && child.signalCode === null);
    for (const child of running) child.kill('SIGKILL');
    await Promise.all(running.map(exited));
  });
  afterAll(async () => {
    await connection?.close();
    for (const each of prefixes) await dropServerPrefix(server.kind, each);
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  return {
    ...server,
    prefix,
    get connection(): QueueConnection {
      if (!connection) throw new Error(`${title}: no connection (describeOnServers(…, { connection: true }) opens one before the tests)`);
      return connection;
    },
    newPrefix() {
      const next = `${prefix}_${prefixes.length}`;
      prefixes.push(next);
      return next;
    },
    track(...started) {
      children.push(...started);
    },
    tempFile(name) {
      folder ??= mkdtempSync(path.join(tmpdir(), 'taskrunner-marks-'));
      return path.join(folder, name);
    },
  };
}

/**
 * The test tasks: `ta`…`te` and `slow`. Each appends `start <tag> <ms> <pid>` when it starts and
 * `end <tag> <startMs> <endMs> <pid>` when it ends to the file named by its first argument, after
 * sleeping its second argument in ms (a third argument is the job's tag).
 */
const TASKS_SOURCE = `
import { appendFileSync } from 'node:fs';
import { Task, type TaskContext } from 'taskrunner';
function make(name: string) {
  return class extends Task {
    name = name;
    description = 'test task ' + name;
    async run(ctx: TaskContext) {
      const [file, ms, tag] = ctx.args;
      const t0 = Date.now();
      appendFileSync(file!, 'start ' + name + ':' + (tag ?? '-') + ' ' + t0 + ' ' + process.pid + '\\n');
      await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, Number(ms ?? 10));
        ctx.signal.addEventListener('abort', () => (clearTimeout(timer), reject(ctx.signal.reason)), { once: true });
      });
      appendFileSync(file!, 'end ' + name + ':' + (tag ?? '-') + ' ' + t0 + ' ' + Date.now() + ' ' + process.pid + '\\n');
      return { success: true, message: 'done ' + (tag ?? '') };
    }
  };
}
export const Ta = make('ta');
export const Tb = make('tb');
export const Tc = make('tc');
export const Td = make('td');
export const Te = make('te');
export const Slow = make('slow');
`;

export const TEST_TASKS = ['ta', 'tb', 'tc', 'td', 'te'];

/** A runner home with the test tasks and `queue.*` pointing at the server. */
export function makeQueueHome(kind: BackendKind, prefix: string, queue: Record<string, unknown> = {}): { home: string; workspace: string } {
  const { home, workspace } = makeHome('taskrunner-queue-');
  writeFile(home, 'tasks/test_tasks.ts', TASKS_SOURCE);
  writeFile(
    home,
    'runner.config.json',
    JSON.stringify({ workspace, lock: { staleMs: 2000 }, queue: { url: BACKENDS[kind], prefix, lockMs: 2000, shutdownMs: 10_000, ...queue } }),
  );
  return { home, workspace };
}

/** Start `runner worker` in `home`; resolves once it said it is ready. */
export async function startWorkerProcess(home: string, args: string[] = []): Promise<ChildProcess> {
  const child = startCli(['worker', '--home', home, ...args]);
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`worker not ready in 30 s:\n${seen}`)), 30_000);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes('worker ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr!.on('data', onData);
    child.once('close', () => {
      clearTimeout(timer);
      reject(new Error(`worker ended before it was ready:\n${seen}`));
    });
  });
  return child;
}

/** One line a test task wrote. */
export interface Mark {
  kind: 'start' | 'end';
  task: string;
  tag: string;
  start: number;
  end: number;
  pid: number;
}

/** The start/end lines the test tasks wrote to `file`. */
export function readMarks(file: string): Mark[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const parts = line.split(' ');
      const [task, tag] = parts[1]!.split(':') as [string, string];
      if (parts[0] === 'start') return { kind: 'start', task, tag, start: Number(parts[2]), end: NaN, pid: Number(parts[3]) };
      return { kind: 'end', task, tag, start: Number(parts[2]), end: Number(parts[3]), pid: Number(parts[4]) };
    });
}

/** Poll until `check` holds (or fail after `timeoutMs`, with what was seen). */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The exit of a process, once it ended. */
export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

export function outFile(workspace: string): string {
  return path.join(workspace, 'marks.txt');
}
