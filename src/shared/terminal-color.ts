/** The ANSI colours the runner uses, by name. */
const CODES = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;

/** A colour {@link colored} knows. */
export type Color = keyof typeof CODES;

/**
 * Whether to use colour on `stream`: a terminal, no `NO_COLOR`, no `--no-color` on the command
 * line. One rule for the CLI's own output and the task log's readable form.
 */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && !process.argv.includes('--no-color');
}

/** `text` in `color`, whatever the stream (callers decide with {@link useColor}). */
export function colored(text: string, color: Color): string {
  return `\u001b[${CODES[color]}m${text}\u001b[0m`;
}
