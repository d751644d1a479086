/**
 * What memory_capture takes from a daily memory file, read with a CommonMark parser: headers of
 * level 2 and deeper, list items that start with bold text, TODO/DECISION/BLOCKER/ACTION/NOTE
 * markers, and list items with an "important" keyword. Code blocks and raw HTML are never read.
 */
import type { Heading, ListItem, Nodes, Paragraph, PhrasingContent, Root, RootContent } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';

/** Why an item was captured; an item can have several. */
export type MemoryItemKind =
  | 'header'
  | 'bold_item'
  | 'todo'
  | 'decision'
  | 'blocker'
  | 'action'
  | 'note'
  | 'important_bullet';

/** One thing worth remembering, with where it came from (1-based line). */
export interface MemoryItem {
  text: string;
  kinds: MemoryItemKind[];
  line: number;
}

/** Texts shorter than this (after trimming) are not worth an entry. */
export const MIN_ITEM_LENGTH = 10;

const WORD = String.raw`[\p{L}\p{N}_]`;
// A marker is a whole word: upper case (`TODO`, `TODO:`), or any case as a label (`Note:`), so
// prose ("we should note that") is not a marker.
const MARKER = new RegExp(String.raw`(?<!${WORD})(TODO|DECISION|BLOCKER|ACTION|NOTE)(?!${WORD})`, 'gu');
const MARKER_LABEL = new RegExp(String.raw`(?<!${WORD})(todo|decision|blocker|action|note):`, 'giu');
// Keywords start a word and may be inflected ("problems", "insights"), never end one ("prefixed").
const KEYWORD = new RegExp(
  String.raw`(?<!${WORD})(?:decided|completed|shipped|launched|fixed|broke|learned|discovered|insight|problem|solution)`,
  'iu',
);
const TASK_CHECKBOX = /^\s*\[[ xX]\]\s*/;

/**
 * Extract the memory items of a daily file's Markdown, in document order, parsing it on this
 * thread: for tests and text known to be small. memory_capture parses daily notes within limits
 * (markdown-limits.ts) and in a worker (parse-worker.ts), then calls {@link memoryItemsOf}.
 */
export function extractMemoryItems(markdown: string): MemoryItem[] {
  return memoryItemsOf(fromMarkdown(markdown));
}

/** The memory items of a parsed daily file, in document order. */
export function memoryItemsOf(tree: Root): MemoryItem[] {
  const items: MemoryItem[] = [];
  walk(tree, items);
  return items;
}

function walk(node: Root | RootContent, items: MemoryItem[]): void {
  switch (node.type) {
    case 'heading':
      capture(items, node, headingKinds(node), node.children);
      return;
    case 'listItem':
      captureListItem(node, items);
      for (const child of node.children) if (child.type !== 'paragraph') walk(child, items);
      return;
    case 'paragraph':
      capture(items, node, [], node.children);
      return;
    case 'code':
    case 'html':
      return;
    default:
      if ('children' in node) for (const child of node.children) walk(child, items);
  }
}

function headingKinds(node: Heading): MemoryItemKind[] {
  return node.depth >= 2 ? ['header'] : [];
}

// A list item's own text is its paragraphs; nested lists become items of their own.
function captureListItem(node: ListItem, items: MemoryItem[]): void {
  const paragraphs = node.children.filter((child): child is Paragraph => child.type === 'paragraph');
  if (paragraphs.length === 0) return;
  const inline = paragraphs.flatMap((paragraph, index) =>
    index === 0 ? paragraph.children : [{ type: 'text', value: ' ' } as const, ...paragraph.children],
  );
  const kinds: MemoryItemKind[] = [];
  if (startsWithStrong(paragraphs[0]!)) kinds.push('bold_item');
  const prose = proseText(inline);
  if (KEYWORD.test(prose)) kinds.push('important_bullet');
  capture(items, node, kinds, inline);
}

function startsWithStrong(paragraph: Paragraph): boolean {
  for (const child of paragraph.children) {
    if (child.type === 'strong') return true;
    // A task checkbox (`[ ]`, `[x]`) or leading space may come first.
    if (child.type === 'text' && child.value.replace(TASK_CHECKBOX, '').trim() === '') continue;
    return false;
  }
  return false;
}

function capture(items: MemoryItem[], node: Nodes, kinds: MemoryItemKind[], inline: readonly PhrasingContent[]): void {
  const all = [...kinds, ...markerKinds(proseText(inline))];
  if (all.length === 0) return;
  const text = normalise(plainText(inline));
  if (text.length < MIN_ITEM_LENGTH) return;
  items.push({ text, kinds: order(all), line: node.position?.start.line ?? 0 });
}

function markerKinds(prose: string): MemoryItemKind[] {
  const kinds: MemoryItemKind[] = [];
  for (const pattern of [MARKER, MARKER_LABEL]) {
    for (const match of prose.matchAll(pattern)) kinds.push(match[1]!.toLowerCase() as MemoryItemKind);
  }
  return kinds;
}

const KIND_ORDER: readonly MemoryItemKind[] = ['header', 'bold_item', 'todo', 'decision', 'blocker', 'action', 'note', 'important_bullet'];

function order(kinds: MemoryItemKind[]): MemoryItemKind[] {
  return KIND_ORDER.filter((kind) => kinds.includes(kind));
}

// The text a reader sees: inline code is kept, raw HTML and images' URLs are not.
function plainText(nodes: readonly PhrasingContent[]): string {
  return nodes.map((node) => inlineText(node, true)).join('');
}

// The text markers and keywords are looked for in: without inline code (`TODO` quoted as code
// is a mention, not a marker).
function proseText(nodes: readonly PhrasingContent[]): string {
  return nodes.map((node) => inlineText(node, false)).join('');
}

// Iterative rather than recursive: inline nodes can nest thousands deep (a long run of `*` nests
// emphasis), which would overflow the stack.
function inlineText(root: PhrasingContent, withCode: boolean): string {
  let text = '';
  const pending: PhrasingContent[] = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    const own = ownText(node, withCode);
    if (own !== undefined) text += own;
    else if ('children' in node) for (let i = node.children.length - 1; i >= 0; i--) pending.push(node.children[i]!);
  }
  return text;
}

// The text of a node that has no readable children; undefined for containers (read their children).
function ownText(node: PhrasingContent, withCode: boolean): string | undefined {
  switch (node.type) {
    case 'text':
      return node.value;
    case 'inlineCode':
      return withCode ? node.value : ' ';
    case 'break':
      return ' ';
    case 'html':
      return ' ';
    case 'image':
    case 'imageReference':
      return node.alt ?? '';
    default:
      return 'children' in node ? undefined : '';
  }
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
