import pino, { type Level, type Logger } from 'pino';

/** A pino logger for an in-process run whose entries land, parsed, in `entries` (pino's JSON, as a log shipper sees it). */
export function memoryLogger(level: Level = 'info'): { log: Logger; entries: Record<string, unknown>[] } {
  const entries: Record<string, unknown>[] = [];
  const log = pino({ base: undefined, level }, { write: (line: string) => void entries.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, entries };
}
