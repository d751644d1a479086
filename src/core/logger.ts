import pino, { type DestinationStream, type Logger } from 'pino';

/** The least severe level a logger writes; `silent` writes nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/**
 * The task log on stderr (stdout stays free for results and `--json`), written synchronously so
 * nothing is lost when the process exits right after a run: pino JSON lines for cron and log
 * shippers, a short readable line per entry when a person watches a terminal.
 */
export function createStderrLogger(level: LogLevel = 'info', readable = Boolean(process.stderr.isTTY)): Logger {
  return pino({ base: undefined, level }, readable ? readableStderr() : jsonStderr());
}

// Logging is best effort: stderr redirected to a full disk must not crash or stop the run (the
// record tells the outcome). Without a listener, a failed write's 'error' event would throw.
function jsonStderr(): DestinationStream {
  const destination = pino.destination({ fd: 2, sync: true });
  destination.on('error', () => undefined);
  return destination;
}

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

function readableStderr(): DestinationStream {
  return {
    write(line: string) {
      const { level, time, msg, task, run_id: _runId, err, ...rest } = JSON.parse(line) as Record<string, unknown>;
      const clock = new Date(Number(time)).toTimeString().slice(0, 8);
      const where = typeof task === 'string' ? `${task}: ` : '';
      const error = err && typeof err === 'object' && !msg ? ` ${String((err as { message?: unknown }).message)}` : '';
      const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
      process.stderr.write(`${clock} ${(LEVEL_NAMES[Number(level)] ?? 'log').padEnd(5)} ${where}${String(msg ?? '')}${error}${extra}\n`);
    },
  };
}
