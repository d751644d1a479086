import { stripVTControlCharacters } from 'node:util';
import { EXIT, RunnerError } from '../shared/errors.js';
import { colored, useColor, type Color } from '../shared/terminal-color.js';

/** Wrap text in an ANSI colour when colour is on. */
export function paint(text: string, color: Color, stream: NodeJS.WriteStream = process.stdout): string {
  return useColor(stream) ? colored(text, color) : text;
}

/** Print a value as stable, indented JSON on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Print rows as an aligned plain-text table on stdout; cells may be painted. */
export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
  process.stdout.write(formatTable(headers.map((header) => paint(header, 'bold')), rows));
}

/** Rows as aligned text lines, one per row after the headers; padding ignores colour codes. */
export function formatTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((header, i) => Math.max(visibleWidth(header), ...rows.map((row) => visibleWidth(row[i] ?? ''))));
  // Padding counts what the terminal shows: colour codes take no columns.
  const pad = (cell: string, width: number) => cell + ' '.repeat(Math.max(0, width - visibleWidth(cell)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : pad(cell, widths[i] ?? 0))).join('  ').trimEnd();
  return [headers, ...rows].map((cells) => `${line(cells)}\n`).join('');
}

function visibleWidth(text: string): number {
  return stripVTControlCharacters(text).length;
}

/** Print an error for a person on stderr: `error: …`, with the cause chain when verbose. */
export function printError(error: unknown, verbose = false): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`${paint('error:', 'red', process.stderr)} ${message}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}

/** The exit code an error ends the CLI with. */
export function exitCodeOf(error: unknown): number {
  return error instanceof RunnerError ? error.exitCode : EXIT.failure;
}
