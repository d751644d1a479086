import type { AlertLevel } from '../store/alerts.js';

/**
 * The contents of `runner.config.json` (SPEC §2). Every key is optional; an unknown key or a bad
 * value is an error naming the key. Flags and environment variables win over the file.
 *
 * @example
 * ```json
 * { "timezone": "Europe/Berlin", "retry": { "attempts": 2 }, "tasks": { "memory_consolidate": { "timeout": "10m" } } }
 * ```
 */
export interface RunnerConfig {
  /**
   * The agent's workspace; `~` and `$HOME` are expanded. `--workspace` and `$OPENCLAW_WORKSPACE`
   * win; when unset, OpenClaw's own rule decides (`agents.defaults.workspace` in its config, else
   * `$OPENCLAW_WORKSPACE_DIR`, else `<state-dir>/workspace`).
   */
  workspace?: string;
  /**
   * IANA time zone that decides "today" for the memory tasks, and that tasks' schedules are read
   * in unless `tasks.<name>.tz` (or a task's own `defaults.tz`) says otherwise; local time when unset.
   */
  timezone?: string;
  /** Attempts and backoff for every task (a task's own defaults and `tasks.<name>` win). */
  retry?: RetryConfig;
  lock?: {
    /** A task lock not refreshed for this long is stale and taken over (ms, at least 2000; default 30000). */
    staleMs?: number;
  };
  /** system_health's gateway check. */
  gateway?: {
    /**
     * The liveness URL; a 404 there tries the origin's root (an older gateway). By default
     * `http://127.0.0.1:<port>/health` with the port OpenClaw's own config gives its gateway
     * (`$OPENCLAW_GATEWAY_PORT`, else `gateway.port` in openclaw.json, else 18789), `https` with its TLS.
     */
    url?: string;
    /** Limit of each HTTP request of the check, in ms (default 5000). */
    timeoutMs?: number;
  };
  /** system_health's disk thresholds, in percent used. */
  disk?: {
    /** Default 80. */
    warnPercent?: number;
    /** Default 90. */
    criticalPercent?: number;
  };
  /** Calls of the `openclaw` CLI (system_health's `openclaw cron list --json`, runner doctor). */
  openclaw?: {
    /** Stop an `openclaw` call that has not finished after this long (ms, default 10000; a call takes 2.5-4 s on a real gateway). */
    timeoutMs?: number;
  };
  memory?: MemoryConfig;
  /** Rotation of `logs/tasks.jsonl`. */
  logs?: {
    /** Rotate when the log reaches this many bytes (default 10 MiB). */
    maxBytes?: number;
    /** Rotated files kept (default 5). */
    keep?: number;
  };
  batch?: {
    /** How long one `command` entry may run before it is stopped and counts as a failed attempt (default 10m). */
    commandTimeout?: number | string;
  };
  /** The distributed backend (SPEC §10); files on one machine when unset. */
  queue?: {
    /** `redis://…` (or `rediss://…`) or `postgres://…` (or `postgresql://…`). */
    url?: string;
    /** Namespace of the runner's queues and shared stores: the BullMQ key prefix on Redis, the schema on PostgreSQL (default `runner`). */
    prefix?: string;
    /** Jobs one `runner worker` process runs at once (default 4; `--concurrency` wins). */
    concurrency?: number;
    /** How long a worker's hold on a job lasts without renewal: a worker that died is noticed after about this long (ms, default 30000). */
    lockMs?: number;
    /** How long `runner worker` waits for active jobs after SIGTERM before aborting them (ms, default 30000). */
    shutdownMs?: number;
  };
  /** Per-task overrides, keyed by task name. */
  tasks?: Record<string, TaskConfig>;
  /** `runner dashboard`. */
  dashboard?: {
    /**
     * The token every request must carry (`Authorization: Bearer …`, or the cookie a first visit
     * with `?token=…` sets). Required when the dashboard listens beyond loopback (`--host`); a
     * random one is made and printed at start when unset. When set, it is required on loopback too.
     * At least 16 characters.
     */
    token?: string;
    /**
     * The origin the page is served from behind a TLS reverse proxy (`https://runner.example.org`):
     * changes sent from it are accepted, and on loopback its host is accepted in `Host` (a proxy
     * that passes the public `Host` on). Read as a browser sends it (lower case, no default port).
     */
    publicOrigin?: string;
    /**
     * Honour `X-Forwarded-Proto` and `X-Forwarded-Host` from the reverse proxy: a change is
     * accepted from the origin they name. Only for a dashboard that a proxy setting (overwriting)
     * those headers stands in front of. Default false.
     */
    trustProxy?: boolean;
  };
  /** `runner heartbeat`. */
  heartbeat?: {
    /**
     * What `runner heartbeat` prints when nothing needs attention: `HEARTBEAT_OK` (the default, the
     * legacy word OpenClaw still accepts) or `NO_REPLY` (today's OpenClaw contract). `--ack` wins.
     */
    ack?: 'HEARTBEAT_OK' | 'NO_REPLY';
  };
  /** What happens to an alert besides waiting in `alerts/pending.json` for the heartbeat. */
  alerts?: {
    /**
     * Also push alerts at or above a level to the agent as they are raised, with `openclaw system
     * event --text … --mode next-heartbeat` (`--mode now` for critical). Without it, pushing is on
     * for `error` and above once `runner openclaw install` has run (its record says so), else off;
     * `false` turns it off. A push that fails is logged; the alert stays pending either way. Dry
     * runs push nothing.
     */
    push?: false | {
      /** The least severe level pushed: `info`, `warning`, `error` (the default) or `critical`. */
      minLevel?: AlertLevel;
      /** Stop waiting for `openclaw` after this long, in ms (default 10000; a call takes 2.5-4 s). */
      timeoutMs?: number;
    };
  };
}

/** `retry` in the config. */
export interface RetryConfig {
  /** Attempts in all, the first included (default 3). */
  attempts?: number;
  /** Wait before the first retry, in ms (default 1000). */
  minTimeoutMs?: number;
  /** Longest wait between attempts, in ms. */
  maxTimeoutMs?: number;
  /** Each wait is this many times the one before (default 2). */
  factor?: number;
  /** Randomise waits (between 1× and 2×) so that many runners do not retry in step. */
  jitter?: boolean;
  /** Stop retrying once this much time has passed since the first attempt, in ms. */
  maxRetryTimeMs?: number;
}

/** `memory` in the config: memory_capture and memory_consolidate. */
export interface MemoryConfig {
  /** memory_capture skips an item at least this similar (Jaccard) to a stored one (default 0.85). */
  captureThreshold?: number;
  /** memory_consolidate drops an entry at least this similar to one it keeps (default 0.9). */
  dedupeThreshold?: number;
  /** memory_consolidate drops low-importance entries older than this many days (default 14). */
  maxAgeDays?: number;
  /** …whose importance is below this (default 0.3). */
  minImportance?: number;
  /** Daily notes larger than this are not parsed (bytes, default 1 MiB). */
  maxFileBytes?: number;
  /** Daily notes with a longer line are not parsed (characters, default 10000). */
  maxLineLength?: number;
  /** Daily notes nested deeper (quotes and lists) are not parsed (default 100). */
  maxNesting?: number;
}

/** `tasks.<name>` in the config. */
export interface TaskConfig {
  /** A duration: a number of seconds, or a string such as `30s`, `10m`, `1h`. */
  timeout?: number | string;
  /** Attempts in all, the first included. */
  attempts?: number;
  /**
   * When the task should run: a cron expression as `runner cron --cron` takes it (five fields, or
   * `@hourly`, `@daily`, …), or `false` for no schedule. Wins over the task's own
   * `defaults.schedule`. `runner cron <task>` installs it; `runner status`, the dashboard and the
   * heartbeat judge from it whether the task is overdue.
   */
  schedule?: string | false;
  /**
   * IANA time zone the schedule is read in (the task's own `defaults.tz` applies only to its own
   * `defaults.schedule`); default: `timezone`, else the host's local time.
   */
  tz?: string;
}
