import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type pinoFunction from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { RunnerError } from '../shared/errors.js';
import { openRegularFileForAppend } from '../store/regular-file.js';
import { readableDestination } from './readable-log.js';
import { useColor } from '../shared/terminal-color.js';

/** The least severe level a logger writes; `silent` writes nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * The task log on stderr (stdout stays free for results and `--json`), written synchronously so
 * nothing is lost when the process exits right after a run: pino JSON lines for cron, files and
 * log shippers; when stderr is a terminal, one readable line per entry instead (`hello: saying
 * hello`, `thrower: attempt 1 of 3 failed: boom (retrying in 1s)`), coloured unless `NO_COLOR`
 * or `--no-color` says otherwise, with an error's stack only at `debug` and no failed-attempt
 * lines at `warn` and above (the run's outcome says it). `readable` forces one form or the other.
 *
 * The pino logger is made on first use (a log call, a level read): most runs log nothing, and
 * loading pino and its streams is a good part of a start-up. Until then the returned object stands
 * in for it, `child()` included, and then forwards everything to it.
 */
export function createStderrLogger(level: LogLevel = 'info', readable?: boolean): Logger {
  const levelValue = LEVEL_VALUES.get(level) ?? 30;
  return lazyLogger(levelValue, () => {
    const pino = loadPino();
    const stderr = stderrDestination(pino);
    if (!(readable ?? Boolean(process.stderr.isTTY))) return pino({ base: undefined, level }, stderr);
    const style = { color: useColor(process.stderr), stacks: levelValue <= 20, attempts: levelValue <= 30 };
    return pino({ base: undefined, level }, readableDestination(stderr, style));
  });
}

/**
 * The task log appended to `file` as pino JSON lines (`runner run … --log-file FILE`), so that a
 * scheduler keeping a run's output (OpenClaw's run history) sees only its one-line summary while
 * the full log stays on disk. The file and its folder are created; it is opened now, so a file
 * that cannot be written fails the command before the run, naming it. Like the run log it must be
 * a regular file: a FIFO would block every line until someone reads it (`store.notAFile`).
 */
export function createFileLogger(file: string, level: LogLevel = 'info'): Logger {
  let fd: number;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    fd = openRegularFileForAppend(file).fd;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const code = error instanceof RunnerError ? error.code : 'store.unwritable';
    throw new RunnerError(code, `--log-file: ${reason.includes(file) ? reason : `cannot write ${file}: ${reason}`}`, { file, cause: error });
  }
  // The descriptor stays open until the process ends, as stderr's does.
  return lazyLogger(LEVEL_VALUES.get(level) ?? 30, () => {
    const pino = loadPino();
    const destination = pino.destination({ fd, sync: true });
    destination.on('error', () => undefined);
    return pino({ base: undefined, level }, destination);
  });
}

type Pino = typeof pinoFunction;

// Required, not imported: the logger must be made synchronously on the first log call. From the
// bundle this is a plain require of the installed package, off the start-up path.
function loadPino(): Pino {
  return createRequire(import.meta.url)('pino') as Pino;
}

/** pino's numeric levels; `silent` is above them all. */
const LEVEL_VALUES = new Map<string, number>([['trace', 10], ['debug', 20], ['info', 30], ['warn', 40], ['error', 50], ['fatal', 60], ['silent', Infinity]]);

/**
 * A Logger that is `create()`d on first use. Before that, `child()` gives a lazy child, and a log
 * call below `level` (a run's closing `debug` line at the default `info`) does nothing, as pino's
 * would, without making the logger.
 */
function lazyLogger(level: number, create: () => Logger): Logger {
  let logger: Logger | undefined;
  const real = () => (logger ??= create());
  const skip = () => undefined;
  // A child stays lazy even once its parent logs: a worker makes one for every run, and a real
  // pino child (its bindings serialised) costs microseconds that a run which never logs can skip.
  const child = (...args: Parameters<Logger['child']>) => {
    const childLevel = args[1]?.level;
    const parentLevel = logger?.levelVal ?? level;
    return lazyLogger(childLevel === undefined ? parentLevel : (LEVEL_VALUES.get(childLevel) ?? parentLevel), () => real().child(...args) as unknown as Logger);
  };
  return new Proxy({} as Logger, {
    get(_target, property) {
      if (property === 'child') return child;
      if (logger === undefined && typeof property === 'string') {
        const methodLevel = LEVEL_VALUES.get(property);
        if (methodLevel !== undefined && methodLevel < level) return skip;
      }
      const value: unknown = Reflect.get(real(), property);
      return typeof value === 'function' ? value.bind(logger) : value;
    },
    set: (_target, property, value) => Reflect.set(real(), property, value),
    has: (_target, property) => Reflect.has(real(), property),
  });
}

// Logging is best effort: stderr redirected to a full disk must not crash or stop the run (the
// record tells the outcome). Without a listener, a failed write's 'error' event would throw.
function stderrDestination(pino: Pino): DestinationStream {
  const destination = pino.destination({ fd: 2, sync: true });
  destination.on('error', () => undefined);
  return destination;
}
