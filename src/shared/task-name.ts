import { RunnerError } from './errors.js';

/**
 * The longest task name. A name becomes file names (`tasks/<name>.ts`, `logs/.locks/<name>.lock`),
 * which the file system limits to 255 bytes; 64 leaves room and is plenty for a name.
 */
export const TASK_NAME_MAX_LENGTH = 64;

/** What a task name is made of (the one definition; config, discovery and the CLI all use it). */
export const TASK_NAME_PATTERN = /^[a-z0-9_-]{1,64}$/;

/** Why `name` is not a valid task name, for an error message; undefined when it is one. */
export function taskNameProblem(name: string): string | undefined {
  if (name.length > TASK_NAME_MAX_LENGTH) return `a task name is at most ${TASK_NAME_MAX_LENGTH} characters, got ${name.length}`;
  if (!TASK_NAME_PATTERN.test(name)) return 'a task name is made of a-z, 0-9, _ and -';
  return undefined;
}

/** Refuse a bad task name before it becomes a path (a 300-character name would fail as ENAMETOOLONG). */
export function assertTaskName(name: string): void {
  const problem = taskNameProblem(name);
  if (problem) {
    const shown = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
    throw new RunnerError('runner.invalidTaskName', `invalid task name ${shown}: ${problem}`);
  }
}
