import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { privateFolder, runtimeKey, runWithCodeCache } from '../../src/core/code-cache.js';

let root: string;
let cacheDir: string;

beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'taskrunner-code-cache-'));
  cacheDir = path.join(root, 'cache', 'taskrunner', 'v8');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A CommonJS "bundle" whose first line names its hash, as the build writes it. */
function writeBundle(hash: string, body = 'module.exports = { answer: () => 42, file: __filename };'): string {
  const file = path.join(root, `bundle-${hash}.cjs`);
  writeFileSync(file, `// taskrunner-bundle ${hash}\n${body}\n`);
  return file;
}

/** A bundle at `<root>/<folder>/runner.cjs`, as a checkout's dist/ holds it. */
function bundleAt(folder: string, hash: string, body = 'module.exports = { answer: () => 42 };'): string {
  mkdirSync(path.join(root, folder), { recursive: true });
  const file = path.join(root, folder, 'runner.cjs');
  writeFileSync(file, `// taskrunner-bundle ${hash}\n${body}\n`);
  return file;
}

function run(file: string, dir: string | null = cacheDir) {
  const result = runWithCodeCache(file, { dir: dir ?? undefined, require: createRequire(file) });
  result.save();
  return result;
}

const entries = () => readdirSync(cacheDir).filter((name) => name.endsWith('.bin'));

describe('runWithCodeCache', () => {
  it('runs the file as CommonJS, misses once, then hits', () => {
    const file = writeBundle('a'.repeat(32));
    const first = run(file);
    expect((first.exports as { answer: () => number }).answer()).toBe(42);
    expect((first.exports as { file: string }).file).toBe(file);
    expect(first.state).toBe('miss');
    expect(entries()).toEqual([`${first.entryPrefix}-${runtimeKey()}.bin`]);
    expect(first.entryPrefix).toMatch(new RegExp(`^${'a'.repeat(32)}-[0-9a-f]{16}$`));
    expect(run(file).state).toBe('hit');
  });

  it('makes the folder private (0700)', () => {
    run(writeBundle('a'.repeat(32)));
    expect(readdirSync(cacheDir)).toHaveLength(1);
    for (const dir of [cacheDir, path.dirname(cacheDir)]) {
      expect(statMode(dir)).toBe(0o700);
    }
  });

  it('ignores a damaged cache file and rewrites it', () => {
    const file = writeBundle('b'.repeat(32));
    run(file);
    const [entry] = entries();
    writeFileSync(path.join(cacheDir, entry!), 'not V8 code cache data at all');
    const second = run(file);
    expect(second.state).toBe('rejected');
    expect((second.exports as { answer: () => number }).answer()).toBe(42);
    expect(readFileSync(path.join(cacheDir, entry!)).toString()).not.toContain('not V8');
    expect(run(file).state).toBe('hit');
  });

  it('ignores a cache file whose bytes were damaged (V8 would not notice) and rewrites it', () => {
    const file = writeBundle('b'.repeat(32), 'module.exports = { answer: () => [1, 2, 3].map((n) => n * 2).reduce((a, b) => a + b) + 30 };');
    run(file);
    const entry = path.join(cacheDir, entries()[0]!);
    const bytes = readFileSync(entry);
    const flipped = Buffer.from(bytes);
    for (let i = 64; i < flipped.length; i++) flipped[i]! ^= 0x55;
    writeFileSync(entry, flipped);
    const second = run(file);
    expect(second.state).toBe('rejected');
    expect((second.exports as { answer: () => number }).answer()).toBe(42);
    expect(readFileSync(entry).equals(flipped)).toBe(false);
    expect(run(file).state).toBe('hit');
  });

  it('notices one flipped bit, and two swapped words, anywhere in the data', () => {
    const file = writeBundle('b'.repeat(32), 'module.exports = { answer: () => [1, 2, 3].map((n) => n * 2).reduce((a, b) => a + b) + 30 };');
    run(file);
    const entry = path.join(cacheDir, entries()[0]!);
    const good = readFileSync(entry);
    const damages = [
      (bytes: Buffer) => (bytes[bytes.length - 1]! ^= 0x01),
      (bytes: Buffer) => (bytes[Math.floor(bytes.length / 2)]! ^= 0x80),
      (bytes: Buffer) => {
        const at = bytes.length - 16;
        const word = bytes.readUInt32LE(at);
        bytes.writeUInt32LE(bytes.readUInt32LE(at + 4), at);
        bytes.writeUInt32LE(word, at + 4);
      },
    ];
    for (const damage of damages) {
      const bytes = Buffer.from(good);
      damage(bytes);
      if (bytes.equals(good)) continue;
      writeFileSync(entry, bytes);
      expect(run(file).state).toBe('rejected');
      expect(run(file).state).toBe('hit');
      writeFileSync(entry, good);
    }
  });

  it('uses a new key for a new bundle at the same path and removes the old entries', () => {
    const old = run(bundleAt('dist', 'c'.repeat(32)));
    mkdirSync(path.join(cacheDir, `${old.entryPrefix}-node`));
    const upgraded = run(bundleAt('dist', 'd'.repeat(32), 'module.exports = { answer: () => 43 };'));
    expect(upgraded.state).toBe('miss');
    expect(readdirSync(cacheDir)).toEqual([`${upgraded.entryPrefix}-${runtimeKey()}.bin`]);
  });

  it('refreshes the time of an entry a hit uses once it is a day old, so pruning sees it in use', () => {
    const file = writeBundle('e'.repeat(32));
    run(file);
    const entry = path.join(cacheDir, entries()[0]!);
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    utimesSync(entry, twoDaysAgo, twoDaysAgo);
    expect(run(file).state).toBe('hit');
    expect(Date.now() - statSync(entry).mtimeMs).toBeLessThan(24 * 60 * 60 * 1000);
  });

  it('removes entries named as earlier versions of the cache named them', () => {
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(cacheDir, `${'c'.repeat(32)}-${runtimeKey()}.bin`), 'old');
    mkdirSync(path.join(cacheDir, `${'c'.repeat(32)}-node`));
    run(writeBundle('d'.repeat(32)));
    expect(readdirSync(cacheDir)).toEqual(entries());
    expect(entries()).toHaveLength(1);
  });

  it('does not use a cache file someone else could write', () => {
    const file = writeBundle('e'.repeat(32));
    run(file);
    const entry = path.join(cacheDir, entries()[0]!);
    chmodSync(entry, 0o666);
    expect(run(file).state).toBe('miss');
    chmodSync(entry, 0o600);
    chownSync(entry, 65534, 65534);
    expect(run(file).state).toBe('miss');
  });

  it('refuses a folder writable by group or others, or owned by another user, and still runs the file', () => {
    const file = writeBundle('f'.repeat(32));
    mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    chmodSync(cacheDir, 0o770);
    expect(privateFolder(cacheDir)).toBe(false);
    const result = run(file);
    expect(result.state).toBe('off');
    expect((result.exports as { answer: () => number }).answer()).toBe(42);
    expect(entries()).toEqual([]);

    chmodSync(cacheDir, 0o707);
    expect(privateFolder(cacheDir)).toBe(false);
    chmodSync(cacheDir, 0o700);
    expect(privateFolder(cacheDir)).toBe(true);
    chownSync(cacheDir, 65534, 65534);
    expect(privateFolder(cacheDir)).toBe(false);
    expect(run(file).state).toBe('off');
    chownSync(cacheDir, process.getuid!(), process.getgid!());
    chmodSync(path.dirname(cacheDir), 0o777);
    expect(privateFolder(cacheDir)).toBe(false);
  });

  it('refuses a folder that is a symbolic link', () => {
    const elsewhere = path.join(root, 'elsewhere');
    mkdirSync(elsewhere, { mode: 0o700 });
    mkdirSync(path.dirname(cacheDir), { recursive: true, mode: 0o700 });
    symlinkSync(elsewhere, cacheDir);
    expect(privateFolder(cacheDir)).toBe(false);
  });

  it('keys entries by the bundle\'s path: two copies of one bundle each name their own file, and both stay cached', () => {
    const hash = '1'.repeat(32);
    const body = 'module.exports = { where: () => new Error(\'probe\').stack, file: __filename };';
    const copies = ['one', 'two'].map((folder) => bundleAt(folder, hash, body));
    const where = (result: ReturnType<typeof run>) => result.exports as { where: () => string; file: string };
    for (const round of ['miss', 'hit']) {
      for (const file of copies) {
        const result = run(file);
        expect(where(result).where()).toContain(`${file}:2:`);
        expect(where(result).file).toBe(file);
        expect(result.state).toBe(round);
      }
    }
    expect(entries()).toHaveLength(2);
  });

  it('on a miss removes the older bundles of its own path, and of other paths only what went unused for 30 days', () => {
    run(bundleAt('here', 'a'.repeat(32)));
    run(bundleAt('there', 'b'.repeat(32)));
    run(bundleAt('gone', 'c'.repeat(32)));
    const [gone] = entries().filter((name) => name.startsWith('c'));
    const longAgo = new Date(Date.now() - 31 * 24 * 60 * 60 * 1000);
    utimesSync(path.join(cacheDir, gone!), longAgo, longAgo);
    // The checkout at `here` is upgraded: its miss removes its old entry and the unused one.
    run(bundleAt('here', 'd'.repeat(32), 'module.exports = { answer: () => 43 };'));
    expect(entries().map((name) => name.slice(0, 1)).sort()).toEqual(['b', 'd']);
    expect(run(bundleAt('there', 'b'.repeat(32))).state).toBe('hit');
  });

  it('runs without a cache when the bundle names no hash, or no folder is given', () => {
    const file = path.join(root, 'plain.cjs');
    writeFileSync(file, 'module.exports = 7;\n');
    expect(run(file)).toMatchObject({ exports: 7, state: 'off' });
    expect(run(writeBundle('a'.repeat(32)), null).state).toBe('off');
    expect(existsSync(cacheDir)).toBe(false);
  });
});

function statMode(dir: string): number {
  return lstatSync(dir).mode & 0o777;
}
