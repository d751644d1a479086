import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { treeChanges, treeState } from './tree-guard.js';

let repo: string;
const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], { cwd: repo, stdio: 'ignore' });
const write = (file: string, text: string) => {
  mkdirSync(path.dirname(path.join(repo, file)), { recursive: true });
  writeFileSync(path.join(repo, file), text);
};

beforeEach(() => {
  repo = mkdtempSync(path.join(tmpdir(), 'taskrunner-tree-guard-'));
  git('init', '-q');
  write('.gitignore', 'logs/*\nnode_modules/\ndist/\n');
  write('docs/shot.png', 'committed picture');
  write('src/code.ts', 'committed code');
  write('README.md', 'committed readme');
  git('add', '.');
  git('commit', '-q', '-m', 'start');
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

describe('the tree guard', () => {
  it("reports what a run wrote into the checkout, and none of the developer's own edits made before it", () => {
    // The developer's work in progress: an edited file and a new one.
    write('src/code.ts', 'work in progress');
    write('notes.txt', 'my notes');
    const before = treeState(repo)!;
    expect(treeChanges(before, treeState(repo)!)).toEqual([]);

    // What a careless run does: rewrite a tracked file, change a file already being edited, add
    // files (one ignored), and write where build outputs go (which is fine).
    write('docs/shot.png', 'new picture');
    appendFileSync(path.join(repo, 'src/code.ts'), ' and more');
    write('test-output.json', '{}');
    write('logs/tasks.jsonl', '{}\n');
    write('dist/cli.js', 'built');
    write('node_modules/.cache/x', 'cached');
    expect(treeChanges(before, treeState(repo)!)).toEqual([
      'docs/shot.png (now M)',
      'logs/tasks.jsonl (now !!)',
      'src/code.ts (now M)',
      'test-output.json (now ??)',
    ]);
  });

  it('reports a file put back as committed, and a deleted one', () => {
    write('README.md', 'edited');
    const before = treeState(repo)!;
    git('checkout', '--', 'README.md');
    rmSync(path.join(repo, 'docs/shot.png'));
    expect(treeChanges(before, treeState(repo)!)).toEqual(['README.md (back as committed)', 'docs/shot.png (now D)']);
  });

  it('checks nothing outside a git checkout', () => {
    const plain = mkdtempSync(path.join(tmpdir(), 'taskrunner-no-git-'));
    try {
      expect(treeState(plain)).toBeUndefined();
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});
