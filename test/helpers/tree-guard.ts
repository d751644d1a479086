import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * vitest's global setup: a test run leaves the checkout as it found it. Tests write to temporary
 * folders (see makeHome, and test/dashboard/screenshots.ts for the dashboard's screenshots); a test
 * that writes into the tree (a tracked file, or a new file, ignored or not) fails the run, naming
 * the files.
 *
 * What is compared is `git status` with the content of every file it lists, before and after, so
 * a developer's own uncommitted edits are fine, and a test that changes a file already edited is
 * still caught. A file edited by hand while the tests run is reported too: run them again.
 * Outside a git checkout (a package tarball) there is nothing to compare and nothing is checked.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Folders the build and the tools write to (ignored): theirs to change. */
const OUTPUTS = ['node_modules', 'dist', 'coverage'];

/** Each path `git status` lists (untracked and ignored files included) → its status and content. */
export type TreeState = Map<string, string>;

export default function setup(): (() => void) | undefined {
  const before = treeState();
  if (before === undefined) return undefined;
  return () => {
    const changes = treeChanges(before, treeState() ?? new Map());
    if (changes.length === 0) return;
    // vitest reports an error thrown here but still exits 0: the exit code is set here.
    process.exitCode = 1;
    console.error(
      `\nThe test run changed ${changes.length} file(s) of the checkout; tests must write to temporary folders:\n${changes.map((line) => `  ${line}`).join('\n')}\n` +
        '(a file you edited yourself while the tests ran is listed too: run them again)\n',
    );
  };
}

/** Each file whose status or content differs between two states, with what it is now: `docs/a.png (now M)`. */
export function treeChanges(before: TreeState, after: TreeState): string[] {
  const files = [...new Set([...before.keys(), ...after.keys()])].filter((file) => before.get(file) !== after.get(file)).sort();
  return files.map((file) => `${file} (${after.has(file) ? `now ${after.get(file)!.split(' ')[0]}` : 'back as committed'})`);
}

/** The checkout's state as `git status` sees it, or undefined when this is not a git checkout. */
export function treeState(root = ROOT): TreeState | undefined {
  let output: string;
  try {
    const exclude = OUTPUTS.map((dir) => `:(exclude)${dir}`);
    output = execFileSync('git', ['status', '--porcelain=v1', '-z', '--ignored', '--untracked-files=all', '--', '.', ...exclude], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
  const state: TreeState = new Map();
  const fields = output.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field === '') continue;
    const status = field.slice(0, 2);
    const file = field.slice(3);
    // A rename or copy is followed by the path it came from.
    if (status[0] === 'R' || status[0] === 'C') i += 1;
    state.set(file, `${status.trim()} ${fingerprint(path.join(root, file))}`);
  }
  return state;
}

function fingerprint(file: string): string {
  try {
    const stats = lstatSync(file);
    if (!stats.isFile()) return stats.isSymbolicLink() ? 'link' : 'other';
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch {
    return 'missing';
  }
}
