const UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
] as const;

/**
 * How long ago `then` was, in its largest whole unit: `45s ago`, `3m ago`, `5h ago`, `12d ago`. A
 * time slightly in the future (another machine's clock) reads `just now` rather than a negative age.
 */
export function formatAgo(then: number, now: number = Date.now()): string {
  const ms = now - then;
  return ms < 1000 ? 'just now' : `${largestUnit(ms)} ago`;
}

/** How long until `then`, in its largest whole unit: `in 45s`, `in 12m`, `in 5h`, `in 6d`; `now` when it is due. */
export function formatIn(then: number, now: number = Date.now()): string {
  const ms = then - now;
  return ms < 1000 ? 'now' : `in ${largestUnit(ms)}`;
}

function largestUnit(ms: number): string {
  for (const [unit, size] of UNITS) {
    if (ms >= size) return `${Math.floor(ms / size)}${unit}`;
  }
  return '0s';
}
