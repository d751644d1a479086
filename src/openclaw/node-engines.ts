/**
 * Whether a Node version satisfies a package's `engines.node` range (`>=24.16.0 <25 || >=26.1.0`),
 * for choosing the Node an `openclaw` script runs under. npm's range grammar in the forms
 * `engines` fields use: `||` alternatives of space-separated comparators (`>=`, `>`, `<=`, `<`,
 * `=`, a bare or partial version, `x`/`*`, `^`, `~`) and hyphen ranges (`1.2 - 3`). Prerelease
 * tags are not compared (Node releases have none). A range outside this grammar is not guessed at.
 */

type Version = readonly [number, number, number];

/**
 * Whether `version` (`v24.21.0` or `24.21.0`) is in `range`; undefined when either cannot be read.
 */
export function satisfiesNodeRange(version: string, range: string): boolean | undefined {
  const v = parseFull(version);
  if (v === undefined) return undefined;
  const alternatives = range.split('||').map((part) => parseAlternative(part.trim()));
  if (alternatives.some((alternative) => alternative === undefined)) return undefined;
  return alternatives.some((comparators) => comparators!.every((test) => test(v)));
}

type Test = (version: Version) => boolean;

/** A partial version: `24`, `24.16`, `24.16.0`, with `x`/`*` for what is left open. */
interface Partial {
  parts: number[];
}

function parseFull(text: string): Version | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(text.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

function parsePartial(text: string): Partial | undefined {
  const match = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/.exec(text);
  if (!match) return undefined;
  const parts: number[] = [];
  for (const part of match.slice(1)) {
    if (part === undefined || /^[xX*]$/.test(part)) break;
    parts.push(Number(part));
  }
  return { parts };
}

function parseAlternative(text: string): Test[] | undefined {
  if (text === '' || text === '*' || /^[xX]$/.test(text)) return [() => true];
  const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(text);
  if (hyphen) {
    const low = parsePartial(hyphen[1]!);
    const high = parsePartial(hyphen[2]!);
    return low && high ? [atLeast(low), atMost(high)] : undefined;
  }
  // `>= 24` is `>=24`.
  const tokens = text.replace(/(>=|<=|>|<|=|\^|~)\s+/g, '$1').split(/\s+/);
  const tests: Test[] = [];
  for (const token of tokens) {
    const match = /^(>=|<=|>|<|=|\^|~)?(.+)$/.exec(token);
    const partial = match ? parsePartial(match[2]!) : undefined;
    if (!match || !partial) return undefined;
    const test = comparator(match[1] ?? '=', partial);
    if (!test) return undefined;
    tests.push(...test);
  }
  return tests;
}

function comparator(operator: string, partial: Partial): Test[] | undefined {
  const { parts } = partial;
  switch (operator) {
    case '=':
      return [atLeast(partial), atMost(partial)];
    case '>=':
      return [atLeast(partial)];
    case '<=':
      return [atMost(partial)];
    case '>':
      // `>24` is `>=25.0.0`; `>24.16.1` is strictly above it.
      if (parts.length === 3) return [(v) => compare(v, full(parts)) > 0];
      return parts.length === 0 ? [() => false] : [atLeast({ parts: bump(parts) })];
    case '<':
      return parts.length === 0 ? [() => false] : [(v) => compare(v, full(parts)) < 0];
    case '~':
      return [atLeast(partial), below(parts.length >= 2 ? bump(parts.slice(0, 2)) : bump(parts.slice(0, 1)))];
    case '^': {
      // Up to the next change of the first non-zero part given.
      const significant = parts.findIndex((part) => part !== 0);
      const upTo = significant === -1 ? Math.max(parts.length - 1, 0) : significant;
      return parts.length === 0 ? [() => true] : [atLeast(partial), below(bump(parts.slice(0, upTo + 1)))];
    }
    default:
      return undefined;
  }
}

/** `>=` a partial version: its missing parts are 0. */
function atLeast(partial: Partial): Test {
  const low = full(partial.parts);
  return (v) => compare(v, low) >= 0;
}

/** `<=` a partial version: anything that starts with it (`<=24` takes 24.99.0). */
function atMost(partial: Partial): Test {
  const { parts } = partial;
  if (parts.length === 0) return () => true;
  if (parts.length === 3) return (v) => compare(v, full(parts)) <= 0;
  return below(bump(parts));
}

function below(parts: number[]): Test {
  const high = full(parts);
  return (v) => compare(v, high) < 0;
}

/** `24.16` → `24.17`: the first version above everything that starts with `parts`. */
function bump(parts: readonly number[]): number[] {
  const next = [...parts];
  next[next.length - 1]! += 1;
  return next;
}

function full(parts: readonly number[]): Version {
  return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0];
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
