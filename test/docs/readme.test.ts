import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { documentationFiles, nodesOf, parseMarkdown } from './markdown.js';

/** The README is the front page: what this is, how to install it, five minutes, and links to docs/. */
const MAX_README_LINES = 300;

function lineCount(text: string): number {
  return text.endsWith('\n') ? text.split('\n').length - 1 : text.split('\n').length;
}

describe('README.md', () => {
  it(`is a front page: at most ${MAX_README_LINES} lines`, () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    expect(lineCount(readme)).toBeLessThanOrEqual(MAX_README_LINES);
    // The counting itself, on both sides of the line.
    expect(lineCount('a\n'.repeat(MAX_README_LINES))).toBe(MAX_README_LINES);
    expect(lineCount(`${'a\n'.repeat(MAX_README_LINES)}b`)).toBe(MAX_README_LINES + 1);
  });

  it('links to every page in docs/', () => {
    const linked = new Set(
      [...nodesOf(parseMarkdown(path.join(REPO_ROOT, 'README.md')))].flatMap((node) => (node.type === 'link' ? [node.url.split('#')[0]] : [])),
    );
    const pages = documentationFiles().filter((file) => file.startsWith('docs/'));
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });

  it('starts with the two set-up commands a fresh clone passes', () => {
    const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(firstBlock).toMatch(/^npm install && npx runner hello\b/m);
    expect(firstBlock).toMatch(/^npm test\b/m);
  });
});
