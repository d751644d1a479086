import type { ChunkSink } from './atomic-write.js';
import type { TopLevelSpans } from './json-spans.js';

/**
 * How to write a new top-level array or object when some of its items are unchanged elements of
 * the file being replaced: those are copied from the old bytes (a run of consecutive ones in one
 * piece, with the separators between them), the others are serialised. A file nothing changed in
 * comes out byte for byte as it was; a file this writer wrote before gets the layout of
 * `JSON.stringify(value, null, indent)` plus a newline.
 */
export interface ContainerPlan {
  kind: 'array' | 'object';
  /** The new container's items: values for an array, `[key, value]` pairs for an object. */
  items: readonly unknown[];
  /** For item j, the index of the old element it is an unchanged copy of, or -1 when it is new. */
  sourceOf: (j: number) => number;
  /** The old file's bytes and element spans (of the same kind), when there is one. */
  source: { bytes: Buffer; spans: TopLevelSpans } | undefined;
  indent: number;
}

// New items are serialised this many at a time: one native JSON.stringify per run is much cheaper
// than one per item, and a run's text is small enough to write and forget.
const RUN_ITEMS = 4096;

export async function writeContainer(sink: ChunkSink, plan: ContainerPlan): Promise<void> {
  const { items, sourceOf, source, indent } = plan;
  const pad = indent > 0 ? `\n${' '.repeat(indent)}` : '';
  const separator = `,${pad}`;
  const close = plan.kind === 'array' ? ']' : '}';
  await sink.write(source ? source.bytes.subarray(0, source.spans.open) : plan.kind === 'array' ? '[' : '{');
  if (items.length === 0) return sink.write(`${close}\n`);
  let previous = -2; // the old element written last; -2 at the start and after a new item
  for (let j = 0; j < items.length; ) {
    const first = sourceOf(j);
    if (first >= 0 && source) {
      let last = first;
      while (j + 1 + (last - first) < items.length && sourceOf(j + 1 + (last - first)) === last + 1) last++;
      const { bytes, spans } = source;
      // Between old neighbours, and before the old first element, the old separator is kept.
      const gapStart = j === 0 && first === 0 ? spans.open : previous === first - 1 ? spans.ends[first - 1]! : -1;
      await sink.write(gapStart >= 0 ? bytes.subarray(gapStart, spans.starts[first]) : j === 0 ? pad : separator);
      await sink.write(bytes.subarray(spans.starts[first], spans.ends[last]));
      previous = last;
      j += last - first + 1;
    } else {
      let end = j + 1;
      while (end < items.length && end - j < RUN_ITEMS && sourceOf(end) < 0) end++;
      await sink.write(j === 0 ? pad : separator);
      await sink.write(formatRun(plan.kind, items.slice(j, end), indent));
      previous = -2;
      j = end;
    }
  }
  // After the old last element, the old tail (closing bracket, final newline) is kept too.
  if (source && previous === source.spans.count - 1) return sink.write(source.bytes.subarray(source.spans.ends[previous]));
  await sink.write(`${indent > 0 ? '\n' : ''}${close}\n`);
}

/** Whether the plan writes back exactly the old file. */
export function isUnchanged(plan: ContainerPlan): boolean {
  if (!plan.source || plan.items.length !== plan.source.spans.count) return false;
  for (let j = 0; j < plan.items.length; j++) if (plan.sourceOf(j) !== j) return false;
  return true;
}

// `JSON.stringify([a, b], null, 2)` is `[\n  a,\n  b\n]`: without the brackets and the first
// indentation, that is exactly how a and b look inside the whole container.
function formatRun(kind: 'array' | 'object', run: readonly unknown[], indent: number): string {
  const value = kind === 'array' ? run : Object.fromEntries(run as [string, unknown][]);
  const text = JSON.stringify(value, null, indent);
  return indent > 0 ? text.slice(2 + indent, -2) : text.slice(1, -1);
}
