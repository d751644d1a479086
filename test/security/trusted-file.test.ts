import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrustedFile, untrustedFolderReason, untrustedReason } from '../../src/security/trusted-file.js';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'trusted-'));
}

describe('untrustedReason', () => {
  it('names who can write, with the mode', () => {
    const dir = tempDir();
    const file = path.join(dir, 'f');
    writeFileSync(file, 'x');
    chmodSync(file, 0o644);
    expect(untrustedReason(statSync(file))).toBeUndefined();
    chmodSync(file, 0o664);
    expect(untrustedReason(statSync(file))).toBe('writable by group (mode 664)');
    chmodSync(file, 0o646);
    expect(untrustedReason(statSync(file))).toBe('writable by others (mode 646)');
    chmodSync(file, 0o666);
    expect(untrustedReason(statSync(file))).toBe('writable by group and others (mode 666)');
  });
});

describe('untrustedFolderReason', () => {
  it('refuses a folder others can write unless it is sticky', () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    expect(untrustedFolderReason(statSync(dir))).toBeUndefined();
    chmodSync(dir, 0o777);
    expect(untrustedFolderReason(statSync(dir))).toBe('its folder is writable by group and others (mode 777)');
    chmodSync(dir, 0o1777);
    expect(untrustedFolderReason(statSync(dir))).toBeUndefined();
  });
});

describe('readTrustedFile', () => {
  it('reads a trusted regular file', () => {
    const file = path.join(tempDir(), 'f.json');
    writeFileSync(file, '[1]');
    chmodSync(file, 0o600);
    expect(readTrustedFile(file, 'queue file', 100).toString()).toBe('[1]');
  });

  it('refuses a file over the size limit, naming it', () => {
    const file = path.join(tempDir(), 'big.json');
    writeFileSync(file, 'x'.repeat(200));
    chmodSync(file, 0o600);
    expect(() => readTrustedFile(file, 'queue file', 100)).toThrow(`refusing to load queue file ${file}: 200 bytes, more than the limit of 100`);
  });

  it('refuses a FIFO without blocking on it', () => {
    const file = path.join(tempDir(), 'fifo');
    execFileSync('mkfifo', [file]);
    expect(() => readTrustedFile(file, 'queue file', 100)).toThrow(`refusing to load queue file ${file}: not a regular file`);
  });
});
