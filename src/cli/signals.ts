import { RunnerError } from '../index.js';

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/**
 * Turn SIGINT and SIGTERM into an abort of the returned signal, so the run can record itself as
 * cancelled and release its lock; a second signal ends the process at once.
 */
export function abortOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const handlers = (Object.keys(EXIT_CODES) as (keyof typeof EXIT_CODES)[]).map((name) => {
    const handler = () => {
      if (controller.signal.aborted) process.exit(EXIT_CODES[name]);
      controller.abort(new RunnerError('runner.cancelled', `cancelled by ${name}`, { exitCode: EXIT_CODES[name] }));
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
