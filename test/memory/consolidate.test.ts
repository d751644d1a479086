import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consolidateEntries, consolidateMemory } from '../../src/memory/consolidate.js';
import { parseTimestamp } from '../../src/shared/time.js';
import { jaccard, wordSet } from '../../src/memory/tokens.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-02-20T12:00:00Z');
const RULES = { now: NOW, maxAgeDays: 14, minImportance: 0.3, threshold: 0.9, timeZone: 'UTC' };

// The SPEC's rule written as plainly as possible: the reference the fast path must match.
function naiveConsolidate(entries: readonly unknown[], rules: typeof RULES): unknown[] {
  const young = entries.filter((entry) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return true;
    const { importance, timestamp } = entry as Record<string, unknown>;
    const score = typeof importance === 'number' && Number.isFinite(importance) ? importance : 0.5;
    const at = parseTimestamp(timestamp, rules.timeZone);
    return !(score < rules.minImportance && at !== undefined && rules.now - at > rules.maxAgeDays * DAY);
  });
  const kept: unknown[] = [];
  const keptSets: Set<string>[] = [];
  for (const entry of young) {
    const text = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).text : undefined;
    const words = typeof text === 'string' ? wordSet(text) : new Set<string>();
    if (words.size > 0 && keptSets.some((k) => k.size > 0 && jaccard(words, k) >= rules.threshold)) continue;
    kept.push(entry);
    keptSets.push(words);
  }
  return kept;
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'Delta', 'épsilon', '东京', '🚀', 'x', 'y', 'z', 'w', 'v', 'u', 'deploy', 'gateway'];
const text = fc.array(fc.constantFrom(...WORDS), { maxLength: 25 }).map((words) => words.join(fc.sample(fc.constantFrom(' ', '  ', '\n'), 1)[0]));
const timestamp = fc.oneof(
  fc.integer({ min: -40, max: 2 }).map((days) => new Date(NOW + days * DAY).toISOString()),
  fc.integer({ min: -40, max: 2 }).map((days) => new Date(NOW + days * DAY).toISOString().replace('Z', '+05:30')),
  fc.integer({ min: -40, max: 2 }).map((days) => new Date(NOW + days * DAY).toISOString().slice(0, 19)),
  fc.constantFrom('not a date', '', undefined, 12345),
);
const importance = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(undefined, 'high', null, 0.3, 0.29));
const entry = fc.oneof(
  { weight: 12, arbitrary: fc.record({ text, timestamp, importance }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.constantFrom(null, 'a bare string', 7, ['alpha beta']) },
);
// Stores with many near duplicates: later entries copy an earlier text with one word changed.
const store = fc.array(fc.tuple(entry, fc.nat(), fc.boolean()), { maxLength: 150 }).map((rows) =>
  rows.map(([value, pick, copy], index) => {
    if (!copy || index === 0 || typeof value !== 'object' || value === null || Array.isArray(value)) return value;
    const earlier = rows[pick % index]![0] as { text?: unknown } | null;
    const base = typeof earlier?.text === 'string' ? earlier.text : '';
    return { ...value, text: `${base} ${WORDS[pick % WORDS.length]}` };
  }),
);

describe('consolidateEntries', () => {
  for (const threshold of [0.9, 0.85, 0.5, 0.75, 1]) {
    it(`keeps exactly what the naive rule keeps at ${threshold}`, () => {
      fc.assert(
        fc.property(store, (entries) => {
          const rules = { ...RULES, threshold };
          const outcome = consolidateEntries(entries, rules);
          const expected = naiveConsolidate(entries, rules);
          expect(outcome.kept).toEqual(expected);
          expect(outcome.prunedByAge + outcome.prunedByDuplication).toBe(entries.length - expected.length);
        }),
        { numRuns: 80 },
      );
    });
  }

  it('prunes by age only below the importance bar, understanding Z, offsets and naive times', () => {
    const old = new Date(NOW - 20 * DAY).toISOString();
    const entries = [
      { text: 'old and unimportant', timestamp: old, importance: 0.1 },
      { text: 'old with an offset', timestamp: old.replace('Z', '-03:00'), importance: 0.2 },
      { text: 'old but important', timestamp: old, importance: 0.9 },
      { text: 'old without importance', timestamp: old },
      { text: 'old with text importance', timestamp: old, importance: 'low' },
      { text: 'unparseable timestamp', timestamp: 'yesterday', importance: 0.1 },
      { text: 'no timestamp at all', importance: 0.1 },
      { text: 'young and unimportant', timestamp: new Date(NOW - DAY).toISOString(), importance: 0.1 },
      { text: 'naive and old', timestamp: '2026-01-01T10:00:00.123456', importance: 0.1 },
    ];
    const outcome = consolidateEntries(entries, RULES);
    expect(outcome.kept.map((e) => (e as { text: string }).text)).toEqual([
      'old but important',
      'old without importance',
      'old with text importance',
      'unparseable timestamp',
      'no timestamp at all',
      'young and unimportant',
    ]);
    expect(outcome.prunedByAge).toBe(3);
  });

  it('never treats empty texts as duplicates, and survives huge texts', () => {
    const huge = Array.from({ length: 200_000 }, (_, i) => `w${i}`).join(' ');
    const entries = [{ text: '' }, { text: '   ' }, { text: '' }, {}, { text: huge }, { text: `${huge} extra` }];
    const outcome = consolidateEntries(entries, RULES);
    expect(outcome.kept).toHaveLength(5);
    expect(outcome.prunedByDuplication).toBe(1);
  });
});

describe('consolidateMemory on a store file', () => {
  function workspaceWithStore(content: string): string {
    const workspace = mkdtempSync(path.join(tmpdir(), 'memory-consolidate-'));
    mkdirSync(path.join(workspace, 'memory'));
    writeFileSync(path.join(workspace, 'memory/store.json'), content);
    return workspace;
  }
  const entries = [
    { text: 'the gateway was restarted after the upgrade', timestamp: '2026-02-19T10:00:00Z', importance: 0.5 },
    { text: 'The gateway was restarted after the upgrade', timestamp: '2026-02-19T11:00:00Z', importance: 0.5 },
    { text: 'stale note', timestamp: '2025-12-01T10:00:00+01:00', importance: 0.1 },
  ];
  const original = JSON.stringify(entries, null, 2);

  it('replaces the store, keeping the previous one in .bak', async () => {
    const workspace = workspaceWithStore(original);
    const summary = await consolidateMemory({ workspace, now: NOW, dryRun: false });
    expect(summary).toEqual({
      original_count: 3,
      pruned_by_age: 1,
      pruned_by_duplication: 1,
      pruned_count: 2,
      remaining_count: 1,
      store_found: true,
    });
    expect(JSON.parse(readFileSync(path.join(workspace, 'memory/store.json'), 'utf8'))).toEqual([entries[0]]);
    expect(readFileSync(path.join(workspace, 'memory/store.json.bak'), 'utf8')).toBe(original);
  });

  it('honours the configured rules', async () => {
    const workspace = workspaceWithStore(original);
    const summary = await consolidateMemory({ workspace, now: NOW, dryRun: false, config: { dedupeThreshold: 1, maxAgeDays: 1000, minImportance: 0.3 } });
    expect(summary).toMatchObject({ pruned_by_age: 0, pruned_by_duplication: 1 });
  });

  it('dry-run reports and writes nothing', async () => {
    const workspace = workspaceWithStore(original);
    const summary = await consolidateMemory({ workspace, now: NOW, dryRun: true });
    expect(summary.pruned_count).toBe(2);
    expect(readFileSync(path.join(workspace, 'memory/store.json'), 'utf8')).toBe(original);
    expect(existsSync(path.join(workspace, 'memory/store.json.bak'))).toBe(false);
  });

  it('a corrupt store fails naming the file and position; store and backup untouched', async () => {
    const corrupt = '[\n  {"text": "a"},\n  {"text": oops}\n]';
    const workspace = workspaceWithStore(corrupt);
    writeFileSync(path.join(workspace, 'memory/store.json.bak'), 'previous backup');
    await expect(consolidateMemory({ workspace, now: NOW, dryRun: false })).rejects.toThrow(/store\.json at line 3, column \d+/);
    expect(readFileSync(path.join(workspace, 'memory/store.json'), 'utf8')).toBe(corrupt);
    expect(readFileSync(path.join(workspace, 'memory/store.json.bak'), 'utf8')).toBe('previous backup');
  });

  it('a non-array store fails naming the file', async () => {
    const workspace = workspaceWithStore('"just a string"');
    await expect(consolidateMemory({ workspace, now: NOW, dryRun: false })).rejects.toThrow(/store\.json: .*JSON array, found a string/);
  });

  it('nothing removed: the file is not rewritten', async () => {
    const workspace = workspaceWithStore(JSON.stringify([entries[0]]));
    expect((await consolidateMemory({ workspace, now: NOW, dryRun: false })).pruned_count).toBe(0);
    expect(existsSync(path.join(workspace, 'memory/store.json.bak'))).toBe(false);
  });

  it('no store: nothing to do', async () => {
    const workspace = mkdtempSync(path.join(tmpdir(), 'memory-consolidate-'));
    expect(await consolidateMemory({ workspace, now: NOW, dryRun: false })).toMatchObject({ original_count: 0, store_found: false });
  });
});
