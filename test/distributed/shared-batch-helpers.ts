import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeHome, runCli, startCli, type CliOptions, type CliResult } from '../helpers/cli.js';

/** The two queue servers the shared batch queue runs on, as the test machines (and CI) provide them. */
export const BACKENDS = [
  { kind: 'redis', url: 'redis://127.0.0.1:6379' },
  { kind: 'postgres', url: 'postgres://postgres@127.0.0.1:5432/test' },
] as const;
export type Backend = (typeof BACKENDS)[number];

/**
 * Whether the server answers. Unreachable: the caller skips its tests with a message, except on CI
 * (`CI=true`), where a missing server must fail the run rather than pass it silently.
 */
export async function reachable(backend: Backend): Promise<boolean> {
  try {
    if (backend.kind === 'redis') {
      const { Redis } = await import('ioredis');
      const redis = new Redis(backend.url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
        await redis.ping();
      } finally {
        redis.disconnect();
      }
    } else {
      const pg = (await import('pg')).default;
      const client = new pg.Client({ connectionString: backend.url, connectionTimeoutMillis: 2000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    return true;
  } catch {
    return false;
  }
}

/** Reachability of every backend, failing on CI when one is missing, and saying so elsewhere. */
export async function availableBackends(file: string): Promise<Map<Backend['kind'], boolean>> {
  const result = new Map<Backend['kind'], boolean>();
  for (const backend of BACKENDS) {
    const up = await reachable(backend);
    if (!up && process.env.CI === 'true') throw new Error(`${file}: the ${backend.kind} server at ${backend.url} is not reachable (required on CI)`);
    if (!up) console.warn(`${file}: skipping the ${backend.kind} tests: no server at ${backend.url}`);
    result.set(backend.kind, up);
  }
  return result;
}

/** Remove everything a test file left in the server under `prefix`. */
export async function dropPrefix(backend: Backend, prefix: string): Promise<void> {
  if (backend.kind === 'redis') {
    const { Redis } = await import('ioredis');
    const redis = new Redis(backend.url);
    try {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  } else {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: backend.url });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${prefix}" CASCADE`);
    } finally {
      await client.end();
    }
  }
}

/** Write the shared queue document directly (what anyone who can write to the server can do). */
export async function writeSharedQueue(backend: Backend, prefix: string, entries: unknown[]): Promise<void> {
  const doc = `${JSON.stringify(entries, null, 2)}\n`;
  if (backend.kind === 'redis') {
    const { Redis } = await import('ioredis');
    const redis = new Redis(backend.url);
    try {
      await redis.set(`${prefix}:runner-store:batch-queue`, doc);
    } finally {
      redis.disconnect();
    }
  } else {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: backend.url });
    await client.connect();
    try {
      await client.query(`UPDATE "${prefix}".runner_batch_queue SET entries = $1::json WHERE id = 1`, [doc]);
    } finally {
      await client.end();
    }
  }
}

/**
 * After a `kill -9` the Redis executor lease stays until it expires (30 s): remove it, exactly what
 * the passing of time does. PostgreSQL's advisory lock ended with the dead process's connection.
 */
export async function expireExecutorLease(backend: Backend, prefix: string): Promise<void> {
  if (backend.kind !== 'redis') return;
  const { Redis } = await import('ioredis');
  const redis = new Redis(backend.url);
  try {
    await redis.del(`${prefix}:runner-store:batch-executor`);
  } finally {
    redis.disconnect();
  }
}

export interface SharedHome {
  home: string;
  workspace: string;
  cli(args: readonly string[], options?: CliOptions): Promise<CliResult>;
  start(args: readonly string[]): ReturnType<typeof startCli>;
  diary(): string;
}

/** A runner home (a host) whose config points at the shared queue, or at nothing when `queue` is undefined. */
export function sharedHome(queue: { url: string; prefix: string } | undefined): SharedHome {
  const { home, workspace } = makeHome('taskrunner-shared-batch-');
  if (queue) writeFileSync(path.join(home, 'runner.config.json'), JSON.stringify({ queue }), { mode: 0o644 });
  const where = ['--home', home, '--workspace', workspace];
  const diaryFile = path.join(workspace, 'diary.md');
  return {
    home,
    workspace,
    cli: (args, options) => runCli([...args, ...where], options),
    start: (args) => startCli([...args, ...where]),
    diary: () => (existsSync(diaryFile) ? readFileSync(diaryFile, 'utf8') : ''),
  };
}

/** A runner task file that writes its pid to `<workspace>/<name>.pid`, then waits until `<workspace>/go` exists. */
export function waitingTask(name: string): string {
  return [
    "import { existsSync, writeFileSync } from 'node:fs';",
    "import path from 'node:path';",
    `export default class Waiting {`,
    "  static [Symbol.for('taskrunner.task')] = true;",
    `  name = ${JSON.stringify(name)};`,
    "  description = 'Waits for the file go';",
    '  async run(ctx) {',
    `    writeFileSync(path.join(ctx.paths.workspace, ${JSON.stringify(`${name}.pid`)}), String(process.pid));`,
    "    while (!existsSync(path.join(ctx.paths.workspace, 'go'))) await new Promise((resolve) => setTimeout(resolve, 20));",
    "    return { success: true, message: 'waited' };",
    '  }',
    '}',
    '',
  ].join('\n');
}
