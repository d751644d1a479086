import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeHome, runCli } from '../helpers/cli.js';
import { OLD_DIARY } from '../batch/old-format.js';
import { blockNumbers, markerCounts } from './batch-helpers.js';

// A 64 KiB tmpfs as the workspace: a disk that really fills up. Mounting needs root (or
// CAP_SYS_ADMIN); without it the test is skipped, except on CI, where it must run.
let fullDisk: string | undefined;
let mountError = '';

beforeAll(() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'taskrunner-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'tmpfs', dir], { stdio: 'pipe' });
    fullDisk = dir;
  } catch (error) {
    mountError = error instanceof Error ? error.message : String(error);
    rmSync(dir, { recursive: true, force: true });
  }
});

afterAll(() => {
  if (fullDisk === undefined) return;
  execFileSync('umount', [fullDisk]);
  rmSync(fullDisk, { recursive: true, force: true });
});

const PAGE = 4096;
const pages = (bytes: number) => Math.ceil(bytes / PAGE);
const freeBytes = (dir: string) => {
  const stats = statfsSync(dir);
  return stats.bavail * stats.bsize;
};

describe('a full disk while the diary is appended to', () => {
  it('leaves no half work block, and the rerun logs the task once with the next number', async (context) => {
    if (fullDisk === undefined && process.env.CI === 'true') throw new Error(`cannot mount a tmpfs for the full-disk test: ${mountError}`);
    const workspace = fullDisk ?? context.skip(`cannot mount a tmpfs (needs root): ${mountError}`);
    const { home } = makeHome('taskrunner-full-disk-home-');
    const queueFile = path.join(workspace, 'batch-tasks.json');
    const diaryFile = path.join(workspace, 'diary.md');
    // The block repeats the task (heading and **Task:**), so it is about twice the queue entry.
    const task = `Long task ${'x'.repeat(8000)}`;
    writeFileSync(queueFile, JSON.stringify([{ id: 'long', task, status: 'pending' }]), { mode: 0o644 });
    writeFileSync(diaryFile, OLD_DIARY, { mode: 0o644 });
    // Leave room for the claim (a new copy of the queue) and the append's journal (a copy of the
    // block) plus one page, but not for the block itself.
    const blockBytes = 2 * task.length;
    const room = (Math.max(pages(statSync(queueFile).size), pages(blockBytes + 200)) + 1) * PAGE;
    const filler = path.join(workspace, 'filler');
    writeFileSync(filler, Buffer.alloc(freeBytes(workspace) - room));

    const full = await runCli(['batch', '--home', home, '--workspace', workspace]);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/ENOSPC/);
    expect(readFileSync(diaryFile, 'utf8')).toBe(OLD_DIARY);
    expect(JSON.parse(readFileSync(queueFile, 'utf8'))).toEqual([{ id: 'long', task, status: 'pending' }]);

    rmSync(filler);
    const rerun = await runCli(['batch', '--home', home, '--workspace', workspace]);
    expect(rerun.code).toBe(0);
    const diary = readFileSync(diaryFile, 'utf8');
    expect(diary.startsWith(OLD_DIARY)).toBe(true);
    expect(blockNumbers(diary.slice(OLD_DIARY.length))).toEqual([42]);
    expect(markerCounts(diary)).toEqual(new Map([['long', 1]]));
  });
});
