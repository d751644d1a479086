import pino, { type Logger } from 'pino';

/**
 * The task log: pino JSON lines on stderr, written synchronously so nothing is lost when the
 * process exits right after a run (stdout stays free for results and `--json`).
 */
export function createStderrLogger(level: 'debug' | 'info' | 'warn' | 'error' | 'silent' = 'info'): Logger {
  return pino({ base: undefined, level }, pino.destination({ fd: 2, sync: true }));
}
