import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';

/**
 * The code cites the specification as `SPEC §N` (`SPEC §6 and §10`, `SPEC §7 …, §10`), or as
 * `docs/spec.md §N`: every `§N` on a line that names it, with the file and line it is on.
 */
function specReferences(files: ReadonlyMap<string, string>): { where: string; section: number }[] {
  const references: { where: string; section: number }[] = [];
  for (const [file, text] of files) {
    text.split('\n').forEach((line, index) => {
      if (!/\bSPEC\b|docs\/spec\.md/.test(line)) return;
      for (const match of line.matchAll(/§\s?(\d+)/g)) references.push({ where: `${file}:${index + 1}`, section: Number(match[1]) });
    });
  }
  return references;
}

/** The numbered sections of the specification: `## N. Title`. */
function specSections(markdown: string): Set<number> {
  return new Set([...markdown.matchAll(/^## (\d+)\. /gm)].map((match) => Number(match[1])));
}

/** The references whose section the specification does not have, as `file:line: §N`. */
function danglingReferences(files: ReadonlyMap<string, string>, spec: string): string[] {
  const sections = specSections(spec);
  return specReferences(files)
    .filter(({ section }) => !sections.has(section))
    .map(({ where, section }) => `${where}: §${section}`);
}

function sourceFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(path.join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })) {
    if (!/\.(ts|js|mjs|cjs)$/.test(entry)) continue;
    const file = path.join(dir, entry);
    files.set(file, readFileSync(path.join(REPO_ROOT, file), 'utf8'));
  }
  return files;
}

describe('SPEC §N in the code', () => {
  const spec = readFileSync(path.join(REPO_ROOT, 'docs', 'spec.md'), 'utf8');

  it('docs/spec.md has the sections §1 to §10, and says that SPEC means it', () => {
    expect([...specSections(spec)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(spec).toMatch(/\*\*SPEC §N\*\*/);
  });

  it('every reference in src/ names a section that docs/spec.md has', () => {
    const files = sourceFiles('src');
    // The scan finds the references (47 when this test was written), so an empty result means something.
    expect(specReferences(files).length).toBeGreaterThan(40);
    expect(danglingReferences(files, spec)).toEqual([]);
  });

  it('reports a section the specification does not have, wherever it is on the line', () => {
    const files = new Map([
      ['src/a.ts', '/** As SPEC §8 says. */\n// plain § 3 without the word is no reference'],
      ['src/b.ts', ' * The shared inbox (SPEC §7 shared by every host, §12), see docs/spec.md §11'],
    ]);
    expect(danglingReferences(files, '## 7. Alerts\n\n## 8. Log record\n')).toEqual(['src/b.ts:1: §12', 'src/b.ts:1: §11']);
  });
});
