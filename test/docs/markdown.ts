import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Nodes, Root } from 'mdast';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { REPO_ROOT } from '../helpers/cli.js';

/** The documentation: the README and every page in docs/, as paths relative to the repository. */
export function documentationFiles(root = REPO_ROOT): string[] {
  const pages = readdirSync(path.join(root, 'docs')).filter((name) => name.endsWith('.md')).sort();
  return ['README.md', ...pages.map((name) => path.join('docs', name))];
}

/** A Markdown file parsed as CommonMark (the parser memory_capture uses; code spans and blocks are nodes of their own). */
export function parseMarkdown(file: string): Root {
  return fromMarkdown(readFileSync(file, 'utf8'));
}

/** Every node of a tree, in document order. */
export function* nodesOf(node: Nodes): Generator<Nodes> {
  yield node;
  if ('children' in node) for (const child of node.children) yield* nodesOf(child);
}

/** The text of a node as a reader sees it: its text and inline code, without the Markdown. */
export function textOf(node: Nodes): string {
  if (node.type === 'text' || node.type === 'inlineCode') return node.value;
  return 'children' in node ? node.children.map((child) => textOf(child)).join('') : '';
}

/**
 * The anchors a file's headings make, as GitHub makes them: lower case, punctuation dropped, spaces
 * as hyphens, and `-1`, `-2`… after a repeated one.
 */
export function headingAnchors(tree: Root): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const node of nodesOf(tree)) {
    if (node.type !== 'heading') continue;
    const slug = slugOf(textOf(node));
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** GitHub's slug of a heading's text (the rule of github-slugger). */
export function slugOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The sections of a page by their `## ` headings: heading text → the section's Markdown. */
export function sectionsOf(markdown: string): Map<string, string> {
  const sections = new Map<string, string>();
  const parts = markdown.split(/^## /m).slice(1);
  for (const part of parts) {
    const newline = part.indexOf('\n');
    sections.set(part.slice(0, newline).trim(), part.slice(newline + 1));
  }
  return sections;
}

/** A link that leaves the repository, or one to a place no file holds. */
const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/**
 * What is wrong with each relative link (and image) of the Markdown files under `root`: a target
 * file that does not exist, or an `#anchor` that no heading of the target makes. Links in code
 * are not links.
 */
export function brokenLinks(root: string, files: readonly string[]): string[] {
  const problems: string[] = [];
  const anchorsOf = new Map<string, Set<string>>();
  const anchorsIn = (file: string) => anchorsOf.get(file) ?? anchorsOf.set(file, headingAnchors(parseMarkdown(file))).get(file)!;
  for (const file of files) {
    const tree = parseMarkdown(path.join(root, file));
    for (const node of nodesOf(tree)) {
      if (node.type !== 'link' && node.type !== 'image') continue;
      const { url } = node;
      if (EXTERNAL.test(url)) continue;
      const line = node.position?.start.line ?? 0;
      const [target = '', anchor] = url.split('#', 2);
      const resolved = target === '' ? path.join(root, file) : path.resolve(path.dirname(path.join(root, file)), decodeURIComponent(target));
      if (!existsSync(resolved)) {
        problems.push(`${file}:${line}: ${url}: no such file`);
        continue;
      }
      if (anchor === undefined || anchor === '') continue;
      if (!statSync(resolved).isFile() || !resolved.endsWith('.md')) {
        problems.push(`${file}:${line}: ${url}: an anchor into something that is not a Markdown file`);
      } else if (!anchorsIn(resolved).has(anchor)) {
        problems.push(`${file}:${line}: ${url}: no heading makes #${anchor}`);
      }
    }
  }
  return problems;
}
