import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** An entry as the old Python batch executor wrote it: naive UTC timestamps, no id. */
export function oldEntry(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    task: `Old task ${n}`,
    result: n % 2 === 0 ? `Result ${n}` : '',
    insight: `Insight ${n}`,
    next_step: '',
    status: 'pending',
    added: `2026-02-03T17:${String(10 + n).padStart(2, '0')}:00.123456`,
    ...extra,
  };
}

/** A diary as the old tools left it, the last block numbered 41. */
export const OLD_DIARY = [
  '# Diary',
  '',
  '- Work block 39: Reviewed the grant list [2026-02-02 11:13Z]',
  '',
  '### Work Block #40 — 2026-02-03T17:35:00Z',
  '**Task:** Document block-counter.py',
  '',
  '### 2026-02-03T17:40Z — Work Block 41 — Update revenue stats',
  '',
  '**Task:** Update revenue stats',
  '**Result:** Done',
  '',
  '**Status:** ✅ Complete',
  '',
  '**Work Blocks:** 1138 completed (a count, not a block number)',
  '',
].join('\n');

/** A fresh workspace folder with the given queue and diary (either may be omitted). */
export function makeWorkspace(queue?: unknown, diary?: string): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'taskrunner-batch-'));
  if (queue !== undefined) writeFileSync(path.join(workspace, 'batch-tasks.json'), `${JSON.stringify(queue, null, 2)}\n`, { mode: 0o644 });
  if (diary !== undefined) writeFileSync(path.join(workspace, 'diary.md'), diary, { mode: 0o644 });
  return workspace;
}
