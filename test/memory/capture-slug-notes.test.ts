import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureMemory, type CapturedEntry } from '../../src/memory/capture.js';
import { dailyNoteNames } from '../../src/memory/daily-note-files.js';

function workspaceWith(files: Record<string, string>): string {
  const workspace = mkdtempSync(path.join(tmpdir(), 'memory-slug-'));
  mkdirSync(path.join(workspace, 'memory'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(workspace, 'memory', name), content);
  return workspace;
}

const now = new Date('2026-02-16T12:00:00Z');

describe('daily notes named memory/<day>-<slug>.md', () => {
  it('belong to their day: memory_capture reads them after <day>.md, in name order', async () => {
    const workspace = workspaceWith({
      '2026-02-16-zeta-session.md': '- **Zeta** decided to pin json5\n',
      '2026-02-16.md': '## Deployed the gateway build\n',
      '2026-02-15-api-design.md': '- TODO: document the heartbeat message format\n',
      '2026-02-16-alpha.md': '- **Alpha** shipped the push seam\n',
      // Not a note of either day: another day, no slug, not Markdown.
      '2026-02-14-old.md': '- **Old** shipped something\n',
      '2026-02-16-.md': '- **Empty slug** decided nothing\n',
      '2026-02-16-notes.txt': '- **Text** decided nothing\n',
    });
    const summary = await captureMemory({ workspace, now, timeZone: 'UTC', dryRun: false });
    expect(summary.files_processed).toBe(4);
    const store = JSON.parse(readFileSync(path.join(workspace, 'memory/store.json'), 'utf8')) as CapturedEntry[];
    expect([...new Set(store.map((entry) => entry.file))]).toEqual([
      'memory/2026-02-15-api-design.md',
      'memory/2026-02-16.md',
      'memory/2026-02-16-alpha.md',
      'memory/2026-02-16-zeta-session.md',
    ]);
    expect(store.find((entry) => entry.file === 'memory/2026-02-16-alpha.md')).toMatchObject({ source: '2026-02-16-alpha.md', line: 1 });
  });

  it('are a day\'s notes even without a <day>.md', async () => {
    const workspace = workspaceWith({ '2026-02-16-session.md': '- **Cron** moved to the new host\n' });
    expect(await dailyNoteNames(path.join(workspace, 'memory'), '2026-02-16')).toEqual(['2026-02-16-session.md']);
    const summary = await captureMemory({ workspace, now, timeZone: 'UTC', dryRun: true });
    expect(summary).toMatchObject({ files_processed: 1, items_extracted: 1 });
  });

  it('a workspace without memory/ has none', async () => {
    expect(await dailyNoteNames(path.join(tmpdir(), 'no-such-workspace-xyz', 'memory'), '2026-02-16')).toEqual([]);
  });
});
