import { execFileSync } from 'node:child_process';

/**
 * Mount a tmpfs on `dir` (tests of full and read-only file systems; they need root). Returns why it
 * failed, or undefined once mounted. On CI (`CI=true`) a failure is an error, not a reason to skip.
 */
export function mountTmpfs(dir: string, options: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const reason = `cannot mount a tmpfs on ${dir} (${String((error as { stderr?: unknown }).stderr ?? error).trim()}); this test needs root`;
    if (process.env.CI === 'true') throw new Error(reason);
    return reason;
  }
}

/** Remount a mounted tmpfs read-only. */
export function remountReadOnly(dir: string): void {
  execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'pipe' });
}

export function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'pipe' });
}
