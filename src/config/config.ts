import { existsSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';
import { TASK_NAME_PATTERN } from '../shared/task-name.js';
import { RunnerError } from '../shared/errors.js';
import { cronExpressionProblem, timeZoneProblem } from '../shared/cron-expression.js';
import { ALERT_LEVELS } from '../store/alerts.js';
import { readConfigObject } from './config-file.js';
import { nonEmpty, openClawWorkspace, type WorkspaceLocation } from './openclaw-workspace.js';
import { DURATION_RULE, isValidDuration, MAX_TIMER_MS } from '../shared/duration.js';
import { expandHome } from '../shared/expand-home.js';
import type { HomeSource } from './home.js';
import type { WorkspaceSource } from './workspace.js';
import { webOrigin } from './web-origin.js';
import type { RunnerConfig } from './runner-config.js';

export type { RunnerConfig } from './runner-config.js';
export { expandHome } from '../shared/expand-home.js';
export type { HomeSource } from './home.js';
export type { WorkspaceSource } from './workspace.js';

const positiveInt = v.pipe(v.number(), v.integer(), v.minValue(1));
const nonNegative = v.pipe(v.number(), v.minValue(0));
const ratio = v.pipe(v.number(), v.minValue(0), v.maxValue(1));
const percent = v.pipe(v.number(), v.minValue(0), v.maxValue(100));
// Waits become Node.js timers, which fire at once above 2^31-1 ms.
const timerMs = v.pipe(v.number(), v.minValue(0), v.maxValue(MAX_TIMER_MS, `at most ${MAX_TIMER_MS} ms (about 24.8 days)`));
const duration = v.pipe(v.union([v.number(), v.string()]), v.check(isValidDuration, `a duration ${DURATION_RULE}`));

const timezone = v.pipe(
  v.string(),
  v.check((zone) => timeZoneProblem(zone) === undefined, 'not a known IANA time zone'),
);

// The rule of `runner cron --cron`, so a schedule the config accepts is one both schedulers take.
const cronExpression = v.pipe(
  v.string(),
  v.rawCheck(({ dataset, addIssue }) => {
    const problem = dataset.typed ? cronExpressionProblem(dataset.value) : undefined;
    if (problem) addIssue({ message: problem });
  }),
);

const AlertPushSchema = v.strictObject(
  {
    minLevel: v.optional(v.picklist(ALERT_LEVELS)),
    timeoutMs: v.optional(v.pipe(timerMs, v.minValue(1))),
  },
  'false, or an object such as {"minLevel": "error"}',
);

const ConfigSchema = v.strictObject({
  workspace: v.optional(v.string()),
  timezone: v.optional(timezone),
  retry: v.optional(
    v.strictObject({
      attempts: v.optional(positiveInt),
      minTimeoutMs: v.optional(timerMs),
      maxTimeoutMs: v.optional(nonNegative),
      factor: v.optional(v.pipe(v.number(), v.minValue(1))),
      jitter: v.optional(v.boolean()),
      maxRetryTimeMs: v.optional(nonNegative),
    }),
  ),
  lock: v.optional(v.strictObject({ staleMs: v.optional(v.pipe(timerMs, v.minValue(2000))) })),
  gateway: v.optional(
    v.strictObject({ url: v.optional(v.pipe(v.string(), v.url())), timeoutMs: v.optional(timerMs) }),
  ),
  disk: v.optional(
    v.strictObject({ warnPercent: v.optional(percent), criticalPercent: v.optional(percent) }),
  ),
  openclaw: v.optional(v.strictObject({ timeoutMs: v.optional(v.pipe(timerMs, v.minValue(1))) })),
  memory: v.optional(
    v.strictObject({
      captureThreshold: v.optional(ratio),
      dedupeThreshold: v.optional(ratio),
      maxAgeDays: v.optional(nonNegative),
      minImportance: v.optional(ratio),
      // Limits of memory_capture's Markdown parsing (src/memory/markdown-limits.ts has the defaults).
      maxFileBytes: v.optional(positiveInt),
      maxLineLength: v.optional(positiveInt),
      maxNesting: v.optional(positiveInt),
    }),
  ),
  logs: v.optional(v.strictObject({ maxBytes: v.optional(positiveInt), keep: v.optional(positiveInt) })),
  batch: v.optional(v.strictObject({ commandTimeout: v.optional(duration) })),
  queue: v.optional(
    v.strictObject({
      url: v.optional(v.string()),
      prefix: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'letters, digits and _, not starting with a digit'))),
      concurrency: v.optional(positiveInt),
      lockMs: v.optional(v.pipe(timerMs, v.minValue(1000))),
      shutdownMs: v.optional(timerMs),
    }),
  ),
  tasks: v.optional(
    v.record(
      v.pipe(v.string(), v.regex(TASK_NAME_PATTERN, 'a task name is [a-z0-9_-], at most 64 characters')),
      v.strictObject({
        timeout: v.optional(duration),
        attempts: v.optional(positiveInt),
        schedule: v.optional(v.union([v.literal(false), cronExpression], 'a cron expression such as "*/15 * * * *", or false for none')),
        tz: v.optional(timezone),
      }),
    ),
  ),
  dashboard: v.optional(
    v.strictObject({
      token: v.optional(v.pipe(v.string(), v.minLength(16, 'at least 16 characters'))),
      publicOrigin: v.optional(
        v.pipe(
          v.string(),
          v.check((text) => webOrigin(text) !== undefined, 'expected an origin such as "https://runner.example.org": http or https, a host and an optional port, no path'),
          v.transform((text) => webOrigin(text)!),
        ),
      ),
      trustProxy: v.optional(v.boolean()),
    }),
  ),
  heartbeat: v.optional(v.strictObject({ ack: v.optional(v.picklist(['HEARTBEAT_OK', 'NO_REPLY'])) })),
  alerts: v.optional(
    v.strictObject({
      // `false`, or the settings: chosen by the value, so a bad key inside names itself (a union would not).
      push: v.optional(v.lazy((input) => (input === false ? v.literal(false) : AlertPushSchema))),
    }),
  ),
});

// The documented interface and the schema must describe the same object: this line stops the
// type-check when one changes without the other.
type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemaMatchesInterface: SameType<v.InferOutput<typeof ConfigSchema>, RunnerConfig> = true;
void schemaMatchesInterface;

export const CONFIG_FILE_NAME = 'runner.config.json';

/** Validate a parsed config object; the error names the file and the offending key path. */
export function validateConfig(value: unknown, file: string): RunnerConfig {
  const result = v.safeParse(ConfigSchema, value);
  if (result.success) return result.output;
  const problems = result.issues.map((issue) => {
    const key = v.getDotPath(issue) ?? '(top level)';
    return `${key}: ${issue.message}`;
  });
  throw new RunnerError('config.invalid', `invalid config ${file}:\n  ${problems.join('\n  ')}`, { file });
}

/** Where the runner keeps its state, and the agent's workspace. */
export interface Settings {
  config: RunnerConfig;
  /** The config file that was read, if any. */
  configFile: string | undefined;
  home: string;
  /** Which rule chose `home`, for messages about it (unknown for settings made by hand). */
  homeSource?: HomeSource;
  workspace: string;
  /** Which rule chose `workspace`, for messages about it (unknown for settings made by hand). */
  workspaceSource?: WorkspaceSource;
}

/** The global CLI options that decide where things are. */
export interface LocationOptions {
  home?: string;
  workspace?: string;
  config?: string;
}

/**
 * Resolve home, config and workspace (SPEC §2): flags, then environment, then the config file,
 * then defaults. The workspace is the first of `--workspace`, `$OPENCLAW_WORKSPACE` (older setups
 * set it in their cron lines, and an environment variable wins over the file as everywhere else),
 * `workspace` in the runner's config, and OpenClaw's own rule (see `src/config/openclaw-workspace.ts`).
 * Synchronous and cheap: OpenClaw's config is read only when nothing before it decided. Whether
 * the workspace exists is not checked here: only what uses it needs it (`assertWorkspaceExists`).
 */
export function loadSettings(options: LocationOptions = {}, env: NodeJS.ProcessEnv = process.env): Settings {
  const { home, source: homeSource } = locateHome(options, env);
  const explicitFile = options.config !== undefined;
  const configFile = explicitFile ? expandHome(options.config!, env) : path.join(home, CONFIG_FILE_NAME);
  let config: RunnerConfig = {};
  let readFile: string | undefined;
  if (explicitFile || existsSync(configFile)) {
    config = validateConfig(readConfigObject(configFile), configFile);
    readFile = configFile;
  }
  // Resolved on first use: a command that never needs the workspace (list, status, help) must not
  // fail on an OpenClaw config it would only read to find it.
  let location: WorkspaceLocation | undefined;
  const locate = () => (location ??= resolveWorkspace(options, config, configFile, env));
  return {
    config,
    configFile: readFile,
    home,
    homeSource,
    get workspace() {
      return locate().workspace;
    },
    get workspaceSource() {
      return locate().source;
    },
  };
}

/** The runner's home: `--home`, else `$RUNNER_HOME`, else the current folder (it needs no config). */
export function resolveHome(options: LocationOptions, env: NodeJS.ProcessEnv = process.env): string {
  return locateHome(options, env).home;
}

/** The runner's home and the rule that chose it. */
export function locateHome(options: LocationOptions, env: NodeJS.ProcessEnv = process.env): { home: string; source: HomeSource } {
  if (options.home !== undefined) return { home: expandHome(options.home, env), source: 'flag' };
  // A blank variable (`RUNNER_HOME=` in a crontab) counts as unset, as the workspace's do.
  const fromEnv = nonEmpty(env.RUNNER_HOME);
  if (fromEnv !== undefined) return { home: expandHome(fromEnv, env), source: 'env' };
  return { home: expandHome(process.cwd(), env), source: 'cwd' };
}

function resolveWorkspace(options: LocationOptions, config: RunnerConfig, configFile: string, env: NodeJS.ProcessEnv): WorkspaceLocation {
  if (options.workspace !== undefined) return { workspace: expandHome(options.workspace, env), source: { from: 'flag' } };
  const fromEnv = nonEmpty(env.OPENCLAW_WORKSPACE);
  if (fromEnv !== undefined) return { workspace: expandHome(fromEnv, env), source: { from: 'env', variable: 'OPENCLAW_WORKSPACE' } };
  if (config.workspace !== undefined) return { workspace: expandHome(config.workspace, env), source: { from: 'config', file: configFile } };
  return openClawWorkspace(configFile, env);
}
