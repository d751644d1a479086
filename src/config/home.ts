import { existsSync } from 'node:fs';
import path from 'node:path';
import { RunnerError } from '../shared/errors.js';

/**
 * Which rule chose the runner's home (SPEC §2): `--home`, else `$RUNNER_HOME`, else the current
 * folder.
 */
export type HomeSource = 'flag' | 'env' | 'cwd';

/** Where the home came from, as a person reads it. */
export function describeHomeSource(source: HomeSource): string {
  if (source === 'flag') return 'from --home';
  if (source === 'env') return 'from $RUNNER_HOME';
  return 'the current folder, as neither --home nor $RUNNER_HOME is set';
}

/**
 * What makes a folder a runner home: one of these in it. A home chosen by `--home` or
 * `$RUNNER_HOME` is used as it is, its folders made when first needed; the current folder is
 * taken for a home only when it has one of these, so a command run from the wrong folder does not
 * quietly start a new home (a `logs/` and an `alerts/`) there.
 */
export const HOME_MARKERS = ['tasks/', 'runner.config.json', 'logs/', 'alerts/', '.runner/'] as const;

/** Whether `folder` has one of the {@link HOME_MARKERS}. */
export function looksLikeHome(folder: string): boolean {
  return HOME_MARKERS.some((marker) => existsSync(path.join(folder, marker)));
}

/**
 * Refuse to write into a home that is only the current folder and not a runner home (see
 * {@link HOME_MARKERS}), before anything is written there: a task run, `test-all` and
 * `worker` write their records, locks and alerts into the home. A home given by `--home` or
 * `$RUNNER_HOME` (or without a known source, from the library) always passes.
 */
export function assertHomeToWriteIn(home: string, source: HomeSource | undefined): void {
  if (source !== 'cwd' || looksLikeHome(home)) return;
  throw new RunnerError(
    'runner.noHome',
    `${home} is not a runner home: it is the home only because it is the current folder (neither --home nor $RUNNER_HOME is set), ` +
      `and it has none of ${HOME_MARKERS.join(', ')}. Run the command in your runner home, choose it with --home DIR or $RUNNER_HOME, ` +
      `or make this folder one: mkdir ${path.join(home, 'tasks')}`,
    { file: home },
  );
}
