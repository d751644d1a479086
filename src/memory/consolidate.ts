/**
 * memory_consolidate's rule (SPEC §5): drop old entries of low importance, then drop duplicates
 * greedily in file order against the entries already kept, exactly as the all-pairs loop would.
 */
import { greedyDedupe, toThreshold } from './similarity.js';
import { parseTimestamp } from '../shared/time.js';
import { buildWordSets } from './tokens.js';
import { updateStore, storePath } from './store-file.js';
import { RunnerError } from '../shared/errors.js';

export const DEFAULT_DEDUPE_THRESHOLD = 0.9;
export const DEFAULT_MAX_AGE_DAYS = 14;
export const DEFAULT_MIN_IMPORTANCE = 0.3;
/** The importance of an entry that has none (or a non-numeric one). */
export const DEFAULT_IMPORTANCE = 0.5;

const MS_PER_DAY = 86_400_000;

export interface ConsolidateRules {
  /** Milliseconds since the epoch that ages are measured from. */
  now: number;
  maxAgeDays: number;
  minImportance: number;
  /** Jaccard similarity at or above which a later entry is a duplicate. */
  threshold: number;
  /** IANA zone for naive timestamps; local time when absent. */
  timeZone?: string;
}

export interface ConsolidateOutcome {
  kept: unknown[];
  prunedByAge: number;
  prunedByDuplication: number;
}

/**
 * Apply the consolidation rule to store entries, keeping their order. An entry older than
 * `maxAgeDays` with importance below `minImportance` goes (an unparseable or missing timestamp
 * keeps it); then an entry whose word set is at least `threshold` similar to an entry kept before
 * it goes. Entries that are not objects, or have no text, are never duplicates.
 */
export function consolidateEntries(entries: readonly unknown[], rules: ConsolidateRules): ConsolidateOutcome {
  const threshold = toThreshold(rules.threshold);
  const maxAgeMs = rules.maxAgeDays * MS_PER_DAY;
  const survivors: unknown[] = [];
  const texts: unknown[] = [];
  for (const entry of entries) {
    const fields = asRecord(entry);
    if (fields && isExpired(fields, rules, maxAgeMs)) continue;
    survivors.push(entry);
    texts.push(fields?.text);
  }
  const keep = greedyDedupe(buildWordSets(texts), threshold);
  const kept: unknown[] = [];
  for (let i = 0; i < survivors.length; i++) if (keep[i] === 1) kept.push(survivors[i]);
  return { kept, prunedByAge: entries.length - survivors.length, prunedByDuplication: survivors.length - kept.length };
}

/** An entry's importance: its number when it has a finite one, else the default 0.5. */
export function importanceOf(entry: Readonly<Record<string, unknown>>): number {
  const value = entry.importance;
  return typeof value === 'number' && Number.isFinite(value) ? value : DEFAULT_IMPORTANCE;
}

function isExpired(entry: Readonly<Record<string, unknown>>, rules: ConsolidateRules, maxAgeMs: number): boolean {
  // Only unimportant entries can expire, so most timestamps are never parsed.
  if (importanceOf(entry) >= rules.minImportance) return false;
  const at = parseTimestamp(entry.timestamp, rules.timeZone);
  return at !== undefined && rules.now - at > maxAgeMs;
}

function asRecord(value: unknown): Readonly<Record<string, unknown>> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** What a consolidation run reports (the task's result keys). */
export interface ConsolidateSummary {
  original_count: number;
  pruned_by_age: number;
  pruned_by_duplication: number;
  pruned_count: number;
  remaining_count: number;
  store_found: boolean;
}

export interface ConsolidateMemoryOptions extends Omit<ConsolidateRules, 'threshold' | 'maxAgeDays' | 'minImportance'> {
  workspace: string;
  dryRun: boolean;
  signal?: AbortSignal;
  /** The `memory` section of the runner config. */
  config?: { dedupeThreshold?: number; maxAgeDays?: number; minImportance?: number };
}

/**
 * Consolidate a workspace's `memory/store.json` in place (backup, atomic replace; nothing written
 * when nothing goes, or in dry-run). A corrupt store or bad setting fails with a RunnerError naming
 * the file (or key), which the runner does not retry, and nothing is written.
 */
export async function consolidateMemory(options: ConsolidateMemoryOptions): Promise<ConsolidateSummary> {
  const rules: ConsolidateRules = {
    now: options.now,
    timeZone: options.timeZone,
    threshold: configuredThreshold(options.config?.dedupeThreshold ?? DEFAULT_DEDUPE_THRESHOLD, 'memory.dedupeThreshold'),
    maxAgeDays: options.config?.maxAgeDays ?? DEFAULT_MAX_AGE_DAYS,
    minImportance: options.config?.minImportance ?? DEFAULT_MIN_IMPORTANCE,
  };
  return updateStore(
    storePath(options.workspace),
    (current) => {
      options.signal?.throwIfAborted();
      if (current === undefined) return { result: summary(0, 0, 0, false) };
      const outcome = consolidateEntries(current, rules);
      options.signal?.throwIfAborted();
      const changed = outcome.kept.length !== current.length;
      const result = summary(current.length, outcome.prunedByAge, outcome.prunedByDuplication, true);
      return changed ? { next: outcome.kept, result } : { result };
    },
    { dryRun: options.dryRun },
  );
}

function summary(original: number, byAge: number, byDuplication: number, found: boolean): ConsolidateSummary {
  const pruned = byAge + byDuplication;
  return {
    original_count: original,
    pruned_by_age: byAge,
    pruned_by_duplication: byDuplication,
    pruned_count: pruned,
    remaining_count: original - pruned,
    store_found: found,
  };
}

/** Check a configured threshold up front, so a bad one is reported by its config key. */
export function configuredThreshold(value: number, key: string): number {
  try {
    toThreshold(value);
    return value;
  } catch (error) {
    throw new RunnerError('config.invalid', `${key}: ${(error as Error).message}`, { cause: error });
  }
}
