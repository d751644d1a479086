import type { Settings } from './config.js';
import { RunnerError } from '../shared/errors.js';

/** Which server holds the queues: chosen from `queue.url`'s scheme. */
export type BackendKind = 'redis' | 'postgres';

/** Where the queues live, as `queue.*` in the config says. */
export interface QueueTarget {
  kind: BackendKind;
  url: string;
  /** The URL without its password, for messages. */
  displayUrl: string;
  /** Redis key prefix, or PostgreSQL schema (default `runner`). */
  prefix: string;
}

/** The default of `queue.prefix`. */
export const DEFAULT_PREFIX = 'runner';

/** Whether the settings turn on the distributed backend (SPEC §10). Cheap: the file mode calls it. */
export function queueConfigured(settings: Settings): boolean {
  return typeof settings.config.queue?.url === 'string' && settings.config.queue.url !== '';
}

/** The queue target of the settings; `queue.invalidUrl` for a scheme that is neither Redis nor PostgreSQL. */
export function queueTarget(settings: Settings): QueueTarget {
  const url = settings.config.queue?.url;
  if (url === undefined || url === '') {
    throw new RunnerError('queue.invalidUrl', 'no queue configured: set queue.url (redis://… or postgres://…) in runner.config.json');
  }
  return { kind: kindOf(url), url, displayUrl: redactUrl(url), prefix: settings.config.queue?.prefix ?? DEFAULT_PREFIX };
}

function kindOf(url: string): BackendKind {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'redis' || scheme === 'rediss') return 'redis';
  if (scheme === 'postgres' || scheme === 'postgresql') return 'postgres';
  throw new RunnerError('queue.invalidUrl', `queue.url: expected redis://… or postgres://…, got ${JSON.stringify(redactUrl(url))}`);
}

/** A URL with its password replaced by `***`, so that errors and logs never show it. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
  }
}
