import { RunnerError } from './errors.js';

/**
 * Quote one word for a POSIX shell (`sh -c`, crontab lines, `sh -lc` in OpenClaw): left bare when
 * it holds only characters no shell treats specially, else in single quotes, where nothing is
 * special and a single quote is written as `'\''`.
 */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Quote each word and join them with spaces into one command line. */
export function shellLine(words: readonly string[]): string {
  return words.map(shellQuote).join(' ');
}

/**
 * Throw `runner.invalidArgument` naming `what` (the argument or flag that carried it) when `word`
 * holds a newline or carriage return. Quoting cannot help there: a crontab ends an entry at each
 * newline, so the rest of the word would be read as lines of their own (a job of its own, even),
 * and a printed command line would no longer be one line to copy.
 */
export function assertOneLine(word: string, what: string): void {
  if (/[\r\n]/.test(word)) {
    throw new RunnerError(
      'runner.invalidArgument',
      `${what}: ${JSON.stringify(word)} holds a line break; a crontab line or a scheduled command cannot carry one`,
    );
  }
}
