import { statfs } from 'node:fs/promises';
import type { CheckResult } from './check-status.js';

/** The disk check of system_health (SPEC §5): how full is the file system holding the workspace? */

export const DEFAULT_DISK_WARN_PERCENT = 80;
export const DEFAULT_DISK_CRITICAL_PERCENT = 90;

export interface DiskCheckOptions {
  /** A path on the file system to check (the workspace). */
  path: string;
  /** Warning above this many percent used (default 80). */
  warnPercent?: number;
  /** Critical above this many percent used (default 90). */
  criticalPercent?: number;
}

/** The disk check's result, with the numbers it was judged on. */
export interface DiskCheck extends CheckResult {
  path: string;
  /** Percent used, one decimal: 100 × (1 − available blocks / total blocks). */
  used_percent?: number;
  total_bytes?: number;
  /** Bytes an unprivileged process can still write. */
  available_bytes?: number;
  warn_percent: number;
  critical_percent: number;
}

/**
 * Check the file system holding `path`. Used is `1 − bavail / blocks`: blocks reserved for root
 * count as used, because the agent (not root) cannot write them. That is what runs out first for
 * it, and a little above df's `Use%`, which leaves reserved blocks out of the total.
 */
export async function checkDisk(options: DiskCheckOptions): Promise<DiskCheck> {
  const warn = options.warnPercent ?? DEFAULT_DISK_WARN_PERCENT;
  const critical = options.criticalPercent ?? DEFAULT_DISK_CRITICAL_PERCENT;
  const limits = { path: options.path, warn_percent: warn, critical_percent: critical };
  let fs;
  try {
    fs = await statfs(options.path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    return { status: 'unknown', summary: `cannot read the file system of ${options.path}: ${reason}`, ...limits };
  }
  if (fs.blocks === 0) {
    // Pseudo file systems (procfs and the like) report no blocks: nothing to fill.
    return { status: 'healthy', summary: `${options.path} is on a file system without blocks`, ...limits };
  }
  const used = 100 * (1 - fs.bavail / fs.blocks);
  const shown = Math.round(used * 10) / 10;
  const numbers = { used_percent: shown, total_bytes: fs.blocks * fs.bsize, available_bytes: fs.bavail * fs.bsize };
  // Whole percents and no byte counts in the summary: it becomes the alert's message, one line
  // for the agent (the exact numbers are in the record).
  const percent = `${Math.round(used)}% used`;
  if (used > critical) return { status: 'critical', summary: `${options.path}: ${percent}, above ${critical}%`, ...limits, ...numbers };
  if (used > warn) return { status: 'warning', summary: `${options.path}: ${percent}, above ${warn}%`, ...limits, ...numbers };
  return { status: 'healthy', summary: `${options.path}: ${percent}`, ...limits, ...numbers };
}
