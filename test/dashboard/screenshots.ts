import { lstatSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';

/**
 * Where the dashboard tests put their screenshots: never the checkout (the images of
 * docs/dashboard.md in docs/screenshots/ are made on purpose, by `npm run screenshots`), but a
 * folder of the user's own in the temporary directory, the same on every run so that the latest
 * are easy to look at:
 * `$TMPDIR/taskrunner-screenshots-<uid>/`, or `$TASKRUNNER_SCREENSHOTS` when set.
 */
export function testScreenshotsDir(): string {
  const chosen = process.env.TASKRUNNER_SCREENSHOTS;
  if (chosen) return path.resolve(chosen);
  const dir = path.join(tmpdir(), `taskrunner-screenshots-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A folder of that name someone else made (or a link) is not written to: a private one instead.
  const stats = lstatSync(dir);
  const ours = stats.isDirectory() && (process.getuid === undefined || stats.uid === process.getuid());
  return ours ? dir : mkdtempSync(path.join(tmpdir(), 'taskrunner-screenshots-'));
}

/** Screenshot the page as it settles into `<dir>/<name>.png` (by default {@link testScreenshotsDir}). */
export async function screenshot(page: Page, name: string, dir = testScreenshotsDir()): Promise<string> {
  mkdirSync(dir, { recursive: true });
  // Charts draw after their rows scroll into view; give the page a settled frame.
  await page.evaluate(() => new Promise((resolve) => (globalThis as unknown as { requestAnimationFrame(f: () => void): void }).requestAnimationFrame(() => resolve(undefined))));
  // No focus ring from the last field typed into.
  await page.evaluate(() => (globalThis as unknown as { document: { activeElement: { blur?: () => void } | null } }).document.activeElement?.blur?.());
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
