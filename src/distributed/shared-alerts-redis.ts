import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RunnerError } from '../shared/errors.js';
import { createAlert, refreshAlert, type Alert, type AppendAlertOptions, type NewAlert, type RaisedAlert } from '../store/alerts.js';
import type { AlertInbox } from '../store/ports.js';
import { readStoredAlert, type DroppedAlertReporter } from './stored-alert.js';

/**
 * The alerts inbox in Redis (SPEC §7 shared by every host, §10). Keys under `<prefix>:runner-store:`:
 * - `alerts`: a sorted set of the pending ids, scored by the order they were raised in;
 * - `alerts-data`: a hash, id → the alert's JSON, exactly the object the file inbox stores;
 * - `alerts-seq`: the counter giving that order;
 * - `alerts-drain`: the lock that drains and acks take turns under (a token with an expiry).
 *
 * Raising is one Lua script (the check for a pending alert with the same key, or an identical one
 * with `unlessPending`, and the add together), so raises at once add one alert. Refreshing a pending
 * keyed alert is a compare-and-set of its JSON, built here rather than in Lua (whose JSON encoder
 * reorders fields), tried again from the start when the alert changed or went meanwhile. A resolve
 * removes every pending alert with its key in one script. A drain reads the pending alerts under
 * the lock, hands them out, and removes exactly those ids, so an alert raised meanwhile stays for
 * the next drain and none is handed out twice. A pending id whose alert cannot
 * be read (missing, not JSON, not an alert) is removed by the read that finds it and reported to
 * `onDropped`: left there, it would be hidden from every reader and never drained.
 */
export class RedisAlertInbox implements AlertInbox {
  private readonly order: string;
  private readonly data: string;
  private readonly seq: string;
  private readonly lockKey: string;
  private readonly lockOptions: DrainLockOptions;
  private readonly onDropped: DroppedAlertReporter | undefined;

  private readonly redis: Redis;
  constructor(
    redis: Redis,
    prefix: string,
    options: RedisAlertInboxOptions = {},
  ) {
    this.redis = redis;
    this.lockOptions = options.lock ?? {};
    this.onDropped = options.onDropped;
    const base = `${prefix}:runner-store:`;
    this.order = `${base}alerts`;
    this.data = `${base}alerts-data`;
    this.seq = `${base}alerts-seq`;
    this.lockKey = `${base}alerts-drain`;
  }

  async raise(alert: NewAlert, options: AppendAlertOptions = {}): Promise<RaisedAlert> {
    const entry = createAlert(alert);
    if (options.dryRun) return { alert: entry, added: false, escalated: false };
    const body = JSON.stringify(entry);
    for (let attempt = 0; attempt < MAX_REFRESH_ATTEMPTS; attempt++) {
      const pending = (await this.redis.eval(
        RAISE,
        3,
        this.order,
        this.data,
        this.seq,
        entry.id,
        body,
        options.unlessPending ? '1' : '0',
        entry.task,
        entry.level,
        entry.message,
        entry.key ?? '',
      )) as string | null;
      if (pending === null) return { alert: entry, added: true, escalated: false };
      const found = parseAlert(pending);
      if (entry.key === undefined) return { alert: found, added: false, escalated: false };
      const refreshed = refreshAlert(found, entry);
      const replaced = await this.redis.eval(REPLACE, 2, this.order, this.data, found.id, pending, JSON.stringify(refreshed));
      if (replaced === 1) return { alert: refreshed, added: false, escalated: refreshed.level !== found.level };
      // Refreshed by another raise, or drained, acked or resolved meanwhile: look again.
    }
    throw new RunnerError('store.locked', `the shared alerts inbox: the alert with key ${JSON.stringify(entry.key)} kept changing while it was refreshed; try again`);
  }

  async resolve(key: string): Promise<Alert[]> {
    const bodies = (await this.redis.eval(RESOLVE, 2, this.order, this.data, key)) as string[];
    return bodies.map(parseAlert);
  }

  async list(): Promise<Alert[]> {
    const ids = await this.redis.zrange(this.order, '0', '-1');
    if (ids.length === 0) return [];
    const bodies: (string | null)[] = [];
    for (let start = 0; start < ids.length; start += CHUNK) {
      bodies.push(...(await this.redis.hmget(this.data, ...ids.slice(start, start + CHUNK))));
    }
    const alerts: Alert[] = [];
    const unreadable: Unreadable[] = [];
    for (const [i, id] of ids.entries()) {
      const body = bodies[i] ?? null;
      const read = readStoredAlert(id, body);
      if (read.ok) alerts.push(read.alert);
      else unreadable.push({ id, body, problem: read.problem });
    }
    if (unreadable.length > 0) await this.drop(unreadable);
    return alerts;
  }

  /**
   * Remove unreadable entries still as they were read, and report those removed. An id whose alert
   * a drain removed between the two reads of `list` is no longer pending: neither removed nor reported.
   */
  private async drop(entries: readonly Unreadable[]): Promise<void> {
    for (let start = 0; start < entries.length; start += CHUNK) {
      const chunk = entries.slice(start, start + CHUNK);
      const args = chunk.flatMap((entry) => [entry.id, entry.body === null ? '0' : '1', entry.body ?? '']);
      const dropped = new Set((await this.redis.eval(DROP, 2, this.order, this.data, ...args)) as string[]);
      for (const entry of chunk) if (dropped.has(entry.id)) this.onDropped?.({ id: entry.id, problem: entry.problem });
    }
  }

  async drain(consume: (alerts: readonly Alert[]) => Promise<void>): Promise<Alert[]> {
    if ((await this.redis.zcard(this.order)) === 0) {
      await consume([]);
      return [];
    }
    return this.underLock(async () => {
      const alerts = await this.list();
      await consume(alerts);
      if (alerts.length > 0) await this.remove(alerts.map((alert) => alert.id));
      return alerts;
    });
  }

  async ack(ids: readonly string[]): Promise<string[]> {
    const wanted = [...new Set(ids)];
    if (wanted.length === 0 || (await this.redis.zcard(this.order)) === 0) return wanted;
    return this.underLock(async () => {
      const removed = new Set(await this.remove(wanted));
      return wanted.filter((id) => !removed.has(id));
    });
  }

  /** Remove these ids; resolves to those that were pending. */
  private async remove(ids: readonly string[]): Promise<string[]> {
    const removed: string[] = [];
    for (let start = 0; start < ids.length; start += CHUNK) {
      const chunk = ids.slice(start, start + CHUNK);
      removed.push(...((await this.redis.eval(REMOVE, 2, this.order, this.data, ...chunk)) as string[]));
    }
    return removed;
  }

  /** Run `work` holding the drain lock, renewed while held; waits for another holder up to `waitMs`. */
  private async underLock<T>(work: () => Promise<T>): Promise<T> {
    const token = randomBytes(12).toString('hex');
    const ttl = this.lockOptions.ttlMs ?? LOCK_TTL_MS;
    const deadline = Date.now() + (this.lockOptions.waitMs ?? LOCK_WAIT_MS);
    for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
      if ((await this.redis.set(this.lockKey, token, 'PX', ttl, 'NX')) === 'OK') break;
      if (Date.now() >= deadline) {
        throw new RunnerError('store.locked', `the shared alerts inbox (${this.lockKey}) is held by another drain; try again`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
    const renew = setInterval(() => {
      void this.redis.eval(RENEW, 1, this.lockKey, token, String(ttl)).catch(() => undefined);
    }, Math.max(100, Math.floor(ttl / 3)));
    try {
      return await work();
    } finally {
      clearInterval(renew);
      await this.redis.eval(RELEASE, 1, this.lockKey, token).catch(() => undefined);
    }
  }
}

/** Options of a {@link RedisAlertInbox}. */
export interface RedisAlertInboxOptions {
  /** Told about each unreadable entry removed (see the class). */
  onDropped?: DroppedAlertReporter;
  lock?: DrainLockOptions;
}

/** A pending entry that cannot be read as an alert, as `list` found it. */
interface Unreadable {
  id: string;
  body: string | null;
  problem: string;
}

/** Timing of the drain lock (tests shorten it). */
export interface DrainLockOptions {
  /** Expiry of the lock: a drain killed while holding it holds it this long at most (default 30 s). */
  ttlMs?: number;
  /** How long a drain or ack waits for another one to finish (default 60 s). */
  waitMs?: number;
}

const LOCK_TTL_MS = 30_000;
/** Each failed refresh means another raise, drain or resolve changed the alert: some always get through. */
const MAX_REFRESH_ATTEMPTS = 50;
const LOCK_WAIT_MS = 60_000;
const CHUNK = 500;

function parseAlert(body: string): Alert {
  return JSON.parse(body) as Alert;
}

// KEYS: order, data, seq. ARGV: id, json, unlessPending, task, level, message, key ('' for none).
// Resolves to the JSON of the pending alert with that key (or, without a key and with unlessPending,
// of an identical one): nothing added. Else adds the alert and resolves to nil.
const RAISE = `
if ARGV[7] ~= '' or ARGV[3] == '1' then
  local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
  for _, id in ipairs(ids) do
    local body = redis.call('HGET', KEYS[2], id)
    if body then
      local ok, a = pcall(cjson.decode, body)
      if ok and type(a) == 'table' then
        if ARGV[7] ~= '' then
          if a.key == ARGV[7] then return body end
        elseif a.task == ARGV[4] and a.level == ARGV[5] and a.message == ARGV[6] then
          return body
        end
      end
    end
  end
end
local seq = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[1], seq, ARGV[1])
return false
`;

// KEYS: order, data. ARGV: id, the JSON it was read with, the new JSON. Replaces it only when it is
// still pending as it was read: 1 when replaced, 0 when not.
const REPLACE = `
if redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('HGET', KEYS[2], ARGV[1]) == ARGV[2] then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
  return 1
end
return 0
`;

// KEYS: order, data. ARGV: key. Removes every pending alert with that key; resolves to their JSON.
const RESOLVE = `
local removed = {}
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
for _, id in ipairs(ids) do
  local body = redis.call('HGET', KEYS[2], id)
  if body then
    local ok, a = pcall(cjson.decode, body)
    if ok and type(a) == 'table' and a.key == ARGV[1] then
      redis.call('HDEL', KEYS[2], id)
      redis.call('ZREM', KEYS[1], id)
      removed[#removed + 1] = body
    end
  end
end
return removed
`;

// KEYS: order, data. ARGV: ids. Resolves to the ids that were pending.
const REMOVE = `
local removed = {}
for _, id in ipairs(ARGV) do
  if redis.call('HDEL', KEYS[2], id) == 1 then
    redis.call('ZREM', KEYS[1], id)
    removed[#removed + 1] = id
  end
end
return removed
`;

// KEYS: order, data. ARGV: triples of id, '1' when it had a body (else '0'), that body. Removes each
// id still pending with the body it was read with; resolves to the ids removed.
const DROP = `
local dropped = {}
for i = 1, #ARGV, 3 do
  local id = ARGV[i]
  if redis.call('ZSCORE', KEYS[1], id) then
    local body = redis.call('HGET', KEYS[2], id)
    if (ARGV[i + 1] == '0' and not body) or (ARGV[i + 1] == '1' and body == ARGV[i + 2]) then
      redis.call('HDEL', KEYS[2], id)
      redis.call('ZREM', KEYS[1], id)
      dropped[#dropped + 1] = id
    end
  end
end
return dropped
`;

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
