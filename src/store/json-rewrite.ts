import type { ContainerPlan } from './json-container-writer.js';
import type { JsonDocument } from './json-document.js';

/**
 * Which top-level elements an arbitrary update left unchanged, for `updateJsonFile`: an element is
 * unchanged when it serialises exactly as an old element did, so an update that mutates its value
 * in place, reorders, inserts or removes elements is still recognised. Those elements are copied
 * from the old bytes, which keeps what a parse loses (`1234567890123456789`, `1e400`, a byte that
 * is not UTF-8). Only whole top-level elements are compared: a big number inside an element the
 * update did change is written as JavaScript parsed it.
 */

/** The old elements by their serialisation; taken before the update runs, since it may mutate the value. */
export type ElementSnapshot = Map<string, number[]>;

export function snapshotElements(document: JsonDocument): ElementSnapshot | undefined {
  const { spans, value, bytes } = document;
  if (!spans) return undefined;
  const byText: ElementSnapshot = new Map();
  for (let i = 0; i < spans.count; i++) {
    // A member is compared as a one-member object (`{"key":value}`), from its own bytes, since a
    // key may appear twice in a file and the parsed object keeps only the last.
    const text =
      spans.kind === 'array'
        ? JSON.stringify((value as unknown[])[i])
        : JSON.stringify(JSON.parse(`{${bytes.toString('utf8', spans.starts[i], spans.ends[i])}}`));
    const list = byText.get(text);
    if (list) list.push(i);
    else byText.set(text, [i]);
  }
  return byText;
}

/**
 * The plan for writing `next` over `document`, or undefined when `next` is not a plain array or
 * object (then it is simply serialised).
 */
export function planRewrite(document: JsonDocument | undefined, snapshot: ElementSnapshot | undefined, next: unknown, indent: number): ContainerPlan | undefined {
  const kind = containerKind(next);
  if (kind === undefined) return undefined;
  const items: unknown[] = kind === 'array' ? (next as unknown[]) : Object.entries(next as object).filter(([, value]) => isWritten(value));
  const spans = document?.spans;
  if (!document || !spans || spans.kind !== kind || !snapshot) {
    return { kind, items, sourceOf: () => -1, source: undefined, indent };
  }
  const sources = new Int32Array(items.length).fill(-1);
  const used = new Map<string, number>();
  items.forEach((item, j) => {
    const text = kind === 'array' ? JSON.stringify(item) : JSON.stringify(Object.fromEntries([item as [string, unknown]]));
    const candidates = text === undefined ? undefined : snapshot.get(text);
    const next = used.get(text!) ?? 0;
    if (candidates && next < candidates.length) {
      sources[j] = candidates[next]!;
      used.set(text!, next + 1);
    }
  });
  return { kind, items, sourceOf: (j) => sources[j]!, source: { bytes: document.bytes, spans }, indent };
}

function containerKind(value: unknown): 'array' | 'object' | undefined {
  if (Array.isArray(value)) return 'array';
  if (typeof value !== 'object' || value === null) return undefined;
  // A Date, a Map or anything with toJSON is serialised its own way.
  const prototype = Object.getPrototypeOf(value) as unknown;
  const plain = prototype === Object.prototype || prototype === null;
  return plain && typeof (value as { toJSON?: unknown }).toJSON !== 'function' ? 'object' : undefined;
}

// JSON.stringify leaves out members whose value is undefined, a function or a symbol.
function isWritten(value: unknown): boolean {
  return value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
}
