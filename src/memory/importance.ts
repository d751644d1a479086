/** How important a captured item is (SPEC §5), from 0.5 up to 1.0 in steps of hundredths. */

const WORD_START = String.raw`(?<![\p{L}\p{N}_])`;

function anyWord(words: readonly string[]): RegExp {
  return new RegExp(`${WORD_START}(?:${words.join('|')})`, 'iu');
}

// Points are hundredths, so the sum is exact and needs no rounding.
const BOOSTS: readonly { pattern: RegExp; points: number }[] = [
  { pattern: anyWord(['blocker', 'critical', 'urgent', 'important']), points: 30 },
  { pattern: anyWord(['decision', 'decided', 'chose']), points: 20 },
  { pattern: anyWord(['project', 'milestone', 'deadline']), points: 10 },
  { pattern: anyWord(['todo', 'action', 'task']), points: 5 },
];

const BASE_POINTS = 50;
const LONG_TEXT = 200;
const LONG_TEXT_POINTS = 10;

/**
 * The importance of a captured text: 0.5, +0.3 for blocker/critical/urgent/important, +0.2 for
 * decision/decided/chose, +0.1 for project/milestone/deadline, +0.05 for todo/action/task, +0.1
 * above 200 characters, capped at 1.0. Keywords match at the start of a word, in any case.
 */
export function scoreImportance(text: string): number {
  let points = BASE_POINTS;
  for (const { pattern, points: boost } of BOOSTS) if (pattern.test(text)) points += boost;
  if (text.length > LONG_TEXT) points += LONG_TEXT_POINTS;
  return Math.min(points, 100) / 100;
}
