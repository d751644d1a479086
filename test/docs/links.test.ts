import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { brokenLinks, documentationFiles } from './markdown.js';

describe('links in the README and docs/', () => {
  it('every relative link names a file that exists, and every #anchor a heading of it', () => {
    const files = documentationFiles();
    expect(files).toContain('docs/spec.md');
    expect(brokenLinks(REPO_ROOT, files)).toEqual([]);
  });

  it('reports a missing file, a missing anchor and an anchor into a folder; links in code are no links', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'taskrunner-docs-links-'));
    mkdirSync(path.join(root, 'docs'));
    writeFileSync(path.join(root, 'docs', 'a.md'), '# A page\n\n## `runner <task>` and `runner run`\n\n## Same\n\n## Same\n');
    writeFileSync(
      path.join(root, 'README.md'),
      [
        '[fine](docs/a.md) [fine](docs/a.md#runner-task-and-runner-run) [fine](docs/a.md#same-1) [fine](#readme)',
        '[gone](docs/b.md) [no anchor](docs/a.md#nothing) [folder](docs#x) [own](#nowhere) ![img](docs/shot.png)',
        '`[code](docs/c.md)` [web](https://example.org/x.md)',
        '',
        '# Readme',
      ].join('\n'),
    );
    expect(brokenLinks(root, ['README.md', 'docs/a.md'])).toEqual([
      'README.md:2: docs/b.md: no such file',
      'README.md:2: docs/a.md#nothing: no heading makes #nothing',
      'README.md:2: docs#x: an anchor into something that is not a Markdown file',
      'README.md:2: #nowhere: no heading makes #nowhere',
      'README.md:2: docs/shot.png: no such file',
    ]);
  });
});
