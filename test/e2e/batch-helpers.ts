import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeHome, runCli, type CliOptions, type CliResult } from '../helpers/cli.js';

export interface BatchHome {
  home: string;
  workspace: string;
  queueFile: string;
  diaryFile: string;
  /** `runner <args> --home H --workspace W`. */
  cli(args: readonly string[], options?: CliOptions): Promise<CliResult>;
  queue(): Record<string, unknown>[];
  diary(): string;
}

/** A runner home whose workspace holds the given queue and diary. */
export function batchHome(queue?: unknown, diary?: string): BatchHome {
  const { home, workspace } = makeHome('taskrunner-batch-e2e-');
  const queueFile = path.join(workspace, 'batch-tasks.json');
  const diaryFile = path.join(workspace, 'diary.md');
  if (queue !== undefined) writeFileSync(queueFile, `${JSON.stringify(queue, null, 2)}\n`, { mode: 0o644 });
  if (diary !== undefined) writeFileSync(diaryFile, diary, { mode: 0o644 });
  return {
    home,
    workspace,
    queueFile,
    diaryFile,
    cli: (args, options) => runCli([...args, '--home', home, '--workspace', workspace], options),
    queue: () => (existsSync(queueFile) ? (JSON.parse(readFileSync(queueFile, 'utf8')) as Record<string, unknown>[]) : []),
    diary: () => (existsSync(diaryFile) ? readFileSync(diaryFile, 'utf8') : ''),
  };
}

/**
 * After a `kill -9`, the dead executor's locks stay behind until they are stale. Instead of waiting
 * (30 s for the task lock), age them: exactly what the passing of time does to them.
 */
export function ageLocks(...dirs: string[]): void {
  const past = new Date(Date.now() - 10 * 60_000);
  const visit = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (name.endsWith('.lock')) utimesSync(file, past, past);
      else if (statSync(file).isDirectory()) visit(file);
    }
  };
  dirs.forEach(visit);
}

/** How many times each queue entry id appears in the diary's markers. */
export function markerCounts(diary: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const match of diary.matchAll(/<!-- batch-task:(\S+) run:\S+ -->/g)) counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
  return counts;
}

/** The work block numbers of the diary's `### … — Work Block N — …` headings, in order. */
export function blockNumbers(diary: string): number[] {
  return [...diary.matchAll(/^### \S+ — Work Block (\d+) — /gm)].map((match) => Number(match[1]));
}

/** True while `pid` runs: a zombie (dead, waiting to be reaped by init) does not count. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Poll until `condition` holds (or the process `child` ended); not a timing assertion. */
export async function until(condition: () => boolean, child?: { exitCode: number | null; signalCode: string | null }): Promise<void> {
  while (!condition()) {
    if (child && (child.exitCode !== null || child.signalCode !== null)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
