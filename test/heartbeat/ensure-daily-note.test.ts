import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureDailyNote } from '../../src/heartbeat/ensure-daily-note.js';

describe('ensureDailyNote', () => {
  it('creates memory/ and the note once, however many heartbeats race for it', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'heartbeat-note-'));
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => ensureDailyNote(workspace, '2026-02-16')));
    expect(outcomes.filter((outcome) => outcome.created)).toHaveLength(1);
    expect(new Set(outcomes.map((outcome) => outcome.file))).toEqual(new Set(['memory/2026-02-16.md']));
    expect(readdirSync(path.join(workspace, 'memory'))).toEqual(['2026-02-16.md']);
    expect(readFileSync(path.join(workspace, 'memory/2026-02-16.md'), 'utf8')).toBe('# 2026-02-16\n\n');
  });
});
