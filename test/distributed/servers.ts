import { Redis } from 'ioredis';
import pg from 'pg';

/** The servers the distributed tests run against (a local Redis and PostgreSQL, as CI starts them). */
export const SERVERS = [
  { kind: 'redis', url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379' },
  { kind: 'postgres', url: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' },
] as const;

export type ServerKind = (typeof SERVERS)[number]['kind'];

/**
 * Whether the server answers. When it does not, the tests against it are skipped with a message,
 * except on CI (`CI=true`), where a missing server must fail the run rather than pass it quietly.
 */
export async function serverAvailable(kind: ServerKind, url: string): Promise<boolean> {
  try {
    if (kind === 'redis') {
      const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: () => null });
      redis.on('error', () => undefined);
      try {
        await redis.connect();
        await redis.ping();
      } finally {
        redis.disconnect();
      }
    } else {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
      try {
        await client.connect();
        await client.query('SELECT 1');
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    return true;
  } catch (error) {
    const message = `${kind} at ${url} is not reachable (${(error as Error).message})`;
    if (process.env.CI === 'true') throw new Error(`${message}: the distributed tests need it on CI`);
    console.warn(`skipping the ${kind} tests: ${message}`);
    return false;
  }
}

/** A schema / key prefix of its own for one test file and backend. */
export function uniquePrefix(name: string, kind: ServerKind): string {
  return `t_${name}_${kind}_${process.pid}_${Math.floor(Math.random() * 1e6)}`;
}

/** Remove what a test left in the server under `prefix`: its keys, or its schema. */
export async function dropPrefix(kind: ServerKind, url: string, prefix: string): Promise<void> {
  if (kind === 'redis') {
    const redis = new Redis(url, { maxRetriesPerRequest: 1 });
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', '1000');
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(`DROP SCHEMA IF EXISTS "${prefix}" CASCADE`);
    } finally {
      await client.end();
    }
  }
}
