/**
 * What went wrong, namespaced by where: `runner.*` (finding, starting and running a task),
 * `config.*`, `lock.*` (a task's lock), `store.*` (the JSON stores and the run log), `batch.*`
 * and `memory.*` (the built-in tasks), `schedule.*` (installing a schedule with `runner cron`),
 * `dashboard.*` (`runner dashboard`: bad requests, refused requests, a port it cannot bind),
 * `openclaw.*` (calling OpenClaw's CLI: `runner openclaw install|status|remove`, `runner cron --install openclaw`),
 * `queue.*` (the distributed backend of SPEC §10: `runner enqueue`, `runner worker`, `runner schedule`).
 */
export type RunnerErrorCode =
  | 'runner.invalidTaskName'
  | 'runner.unknownTask'
  | 'runner.duplicateTask'
  | 'runner.taskLoad'
  | 'runner.unsafeFile'
  | 'runner.invalidArgument'
  | 'runner.noWorkspace'
  | 'runner.noHome'
  | 'runner.locked'
  | 'runner.timedOut'
  | 'runner.cancelled'
  | 'runner.taskFailed'
  | 'runner.unfinished'
  | 'runner.outputFailed'
  | 'config.invalid'
  | 'lock.compromised'
  | 'lock.failed'
  | 'store.corrupt'
  | 'store.invalid'
  | 'store.notAFile'
  | 'store.tooLarge'
  | 'store.locked'
  | 'store.unwritable'
  | 'store.writeFailed'
  | 'batch.invalid'
  | 'batch.unsafeQueue'
  | 'memory.invalid'
  | 'memory.unreadable'
  | 'memory.overLimit'
  | 'memory.unparseable'
  | 'schedule.installFailed'
  | 'schedule.brokenCrontab'
  | 'openclaw.notFound'
  | 'openclaw.callFailed'
  | 'openclaw.brokenScratch'
  | 'openclaw.scratchChanged'
  | 'openclaw.noHeartbeat'
  | 'openclaw.installFailed'
  | 'dashboard.badRequest'
  | 'dashboard.notFound'
  | 'dashboard.unknownTask'
  | 'dashboard.forbidden'
  | 'dashboard.unauthorized'
  | 'dashboard.unsupported'
  | 'dashboard.listenFailed'
  | 'queue.invalidUrl'
  | 'queue.unreachable'
  | 'queue.unsupported'
  | 'queue.failed';

/** Exit codes of the CLI (SPEC §3); the one place they are defined. */
export const EXIT = {
  ok: 0,
  failure: 1,
  locked: 2,
  sigint: 130,
  sigterm: 143,
} as const;

/** Options of the {@link RunnerError} constructor. */
export interface RunnerErrorOptions {
  /** Process exit code the CLI ends with; 1 unless said otherwise. */
  exitCode?: number;
  /** The file the error is about, when there is one. */
  file?: string;
  /** Whether another attempt could succeed; by default false for the codes of bad input. */
  retryable?: boolean;
  cause?: unknown;
}

// Bad input is just as bad on the next attempt: retrying would only delay the report.
const BAD_INPUT_CODES: ReadonlySet<RunnerErrorCode> = new Set([
  'store.corrupt', 'store.invalid', 'store.notAFile', 'store.tooLarge', 'store.unwritable', 'config.invalid',
  'runner.invalidArgument', 'runner.unsafeFile', 'runner.noWorkspace', 'runner.noHome', 'lock.failed', 'batch.invalid',
  'batch.unsafeQueue', 'schedule.brokenCrontab', 'openclaw.brokenScratch', 'memory.invalid', 'dashboard.badRequest', 'dashboard.unknownTask', 'queue.invalidUrl', 'queue.unsupported',
]);

/**
 * The one error class of the runner, in the style of commander's `CommanderError`: a namespaced
 * {@link RunnerErrorCode} says what went wrong, `exitCode` how the CLI ends, `file` which file it
 * is about, and `retryable` whether another attempt could help (bad input never retries).
 *
 * @example
 * ```ts
 * throw new RunnerError('store.corrupt', `${file}: expected a JSON array`, { file });
 * ```
 */
export class RunnerError extends Error {
  readonly code: RunnerErrorCode;
  readonly exitCode: number;
  readonly file: string | undefined;
  /** False when the runner should not make another attempt after this error. */
  readonly retryable: boolean;

  constructor(code: RunnerErrorCode, message: string, options: RunnerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RunnerError';
    this.code = code;
    this.exitCode = options.exitCode ?? EXIT.failure;
    this.file = options.file;
    this.retryable = options.retryable ?? !BAD_INPUT_CODES.has(code);
  }
}

/** Thrown by a task to stop at once: the runner makes no further attempts. */
export class NonRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}
