import { EXIT, RunnerError } from '../shared/errors.js';

const SIGNAL_EXIT_CODES = { SIGINT: EXIT.sigint, SIGTERM: EXIT.sigterm } as const;

/**
 * Turn SIGINT and SIGTERM into an abort of the returned signal, so the run can record itself as
 * cancelled and release its lock; a second signal ends the process at once.
 */
export function abortOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handlers = (Object.keys(SIGNAL_EXIT_CODES) as (keyof typeof SIGNAL_EXIT_CODES)[]).map((name) => {
    const handler = () => {
      if (controller.signal.aborted) process.exit(SIGNAL_EXIT_CODES[name]);
      controller.abort(new RunnerError('runner.cancelled', `cancelled by ${name}`, { exitCode: SIGNAL_EXIT_CODES[name] }));
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    dispose: () => {
      for (const [name, handler] of handlers) process.off(name, handler);
    },
  };
}
