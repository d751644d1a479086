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
