import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import lockfile from 'proper-lockfile';
import { afterAll, describe, expect, it } from 'vitest';
import { updateStore } from '../../src/memory/store-file.js';
import { AlertStore } from '../../src/store/alerts.js';
import { writeAtomic } from '../../src/store/atomic-write.js';
import { LOCK_STALE_MS, LOCK_WAIT_MS, tryLock, withFileLock } from '../../src/store/lock.js';
import { updateJsonFile } from '../../src/store/json-file.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'taskrunner-lock-'));

/**
 * A folder on a read-only tmpfs holding `store.json`, or undefined when this machine cannot mount
 * (not root); on CI, where the test must run, that is an error.
 */
function readOnlyFolder(): string | undefined {
  const folder = dir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', folder], { stdio: 'ignore' });
  } catch {
    if (process.env.CI === 'true') throw new Error('cannot mount a read-only tmpfs (needs root), required on CI');
    return undefined;
  }
  mounted.push(folder);
  writeFileSync(path.join(folder, 'store.json'), '[1]\n');
  execFileSync('mount', ['-o', 'remount,ro', folder]);
  return folder;
}
const mounted: string[] = [];
afterAll(() => {
  for (const folder of mounted) execFileSync('umount', [folder]);
});

describe('store locks', () => {
  it('fail at once on a read-only file system, naming the file', async (context) => {
    const folder = readOnlyFolder() ?? context.skip('cannot mount a read-only tmpfs here (needs root)');
    const file = path.join(folder, 'store.json');
    // Each would otherwise retry for 30 s and fail past the test's timeout.
    for (const attempt of [
      () => updateJsonFile(file, () => [2]),
      () => updateStore(file, () => ({ append: [2], result: undefined }), { dryRun: false }),
      () => new AlertStore(file).append({ task: 't', level: 'info', message: 'm' }),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: 'store.unwritable', file, retryable: false, message: expect.stringContaining(`cannot lock ${file} for writing: EROFS`) });
    }
    expect(readFileSync(file, 'utf8')).toBe('[1]\n');
  });

  it('give up on a held lock after the wait, naming the file', async () => {
    const file = path.join(dir(), 'store.json');
    const release = await lockfile.lock(file, { realpath: false });
    await expect(withFileLock(file, async () => 1, { waitMs: 50 })).rejects.toMatchObject({
      code: 'store.locked',
      file,
      message: expect.stringContaining(`${file} is locked by another process`),
    });
    await release();
    expect(await withFileLock(file, async () => 2, { waitMs: 50 })).toBe(2);
  });

  it('a lock lost during an update is noticed before the rename: nothing is replaced', async () => {
    const folder = dir();
    const file = path.join(folder, 'store.json');
    writeFileSync(file, '"old"\n');
    const update = withFileLock(
      file,
      async (lock) => {
        // Another process takes the lock over (as if ours had gone stale): its directory is replaced.
        execFileSync('rmdir', [`${file}.lock`]);
        execFileSync('mkdir', [`${file}.lock`]);
        for (let i = 0; i < 100; i++) {
          try {
            lock.assertHeld();
          } catch {
            break;
          }
          await sleep(100);
        }
        await writeAtomic(lock.file, (sink) => sink.write('"new"\n'), { beforeRename: () => lock.assertHeld() });
      },
      { staleMs: 2000 },
    );
    await expect(update).rejects.toMatchObject({ code: 'lock.compromised', file });
    expect(readFileSync(file, 'utf8')).toBe('"old"\n');
    expect(readdirSync(folder).sort()).toEqual(['store.json', 'store.json.lock']);
  });
});

describe('tryLock (the one lock: task, executor and store locks)', () => {
  const noLoss = () => undefined;

  it('is taken, refused to a second taker while held, and free again once released', async () => {
    const lockPath = path.join(dir(), 'deep', 'task.lock');
    const first = await tryLock(lockPath, { what: 'the test lock', onCompromised: noLoss });
    expect(first?.path).toBe(lockPath);
    expect(statSync(lockPath).isDirectory()).toBe(true);
    expect(await tryLock(lockPath, { what: 'the test lock', onCompromised: noLoss })).toBeUndefined();
    await first!.release();
    await first!.release();
    expect(existsSync(lockPath)).toBe(false);
    const second = await tryLock(lockPath, { what: 'the test lock', onCompromised: noLoss });
    expect(second).toBeDefined();
    await second!.release();
  });

  it('takes over a lock not refreshed for the stale age, and only such a lock (the documented rule)', async () => {
    expect(LOCK_STALE_MS).toBe(30_000);
    expect(LOCK_WAIT_MS).toBeGreaterThan(LOCK_STALE_MS);
    const lockPath = path.join(dir(), 'task.lock');
    // A holder that died: its lock directory stays with the time of its last refresh.
    mkdirSync(lockPath);
    const age = (ms: number) => {
      const then = new Date(Date.now() - ms);
      utimesSync(lockPath, then, then);
    };
    age(LOCK_STALE_MS - 10_000);
    expect(await tryLock(lockPath, { what: 'the test lock', onCompromised: noLoss })).toBeUndefined();
    age(LOCK_STALE_MS + 10_000);
    const taken = await tryLock(lockPath, { what: 'the test lock', onCompromised: noLoss });
    expect(taken).toBeDefined();
    // The taker's lock is fresh: nobody else takes it over.
    expect(Date.now() - statSync(lockPath).mtimeMs).toBeLessThan(LOCK_STALE_MS);
    expect(await tryLock(lockPath, { what: 'the test lock', onCompromised: noLoss })).toBeUndefined();
    await taken!.release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it('tells its holder when the lock was taken from it', async () => {
    const lockPath = path.join(dir(), 'task.lock');
    const lost: Error[] = [];
    const held = await tryLock(lockPath, { what: 'the test lock', staleMs: 2000, onCompromised: (error) => lost.push(error) });
    expect(held).toBeDefined();
    // Another taker removed it (as after a takeover): the holder's next refresh notices.
    execFileSync('rmdir', [lockPath]);
    for (let i = 0; i < 200 && lost.length === 0; i++) await sleep(50);
    expect(lost[0]).toMatchObject({ code: 'lock.compromised', message: expect.stringContaining(`the test lock ${lockPath} was compromised`) });
    await held!.release();
  });

  it('fails at once, naming the path, when the lock cannot be made', async () => {
    const folder = dir();
    writeFileSync(path.join(folder, 'file'), '');
    const lockPath = path.join(folder, 'file', 'task.lock');
    await expect(tryLock(lockPath, { what: 'the test lock', onCompromised: noLoss })).rejects.toMatchObject({
      code: 'lock.failed',
      retryable: false,
      message: expect.stringContaining(`cannot take the test lock ${lockPath}`),
    });
  });
});
