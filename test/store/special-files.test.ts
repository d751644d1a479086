import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStore } from '../../src/memory/store-file.js';
import { readJsonFile, updateJsonFile } from '../../src/store/json-file.js';
import { readStoreBytes } from '../../src/store/read-file.js';
import { makeHome, runCli } from '../helpers/cli.js';

const dir = () => mkdtempSync(path.join(tmpdir(), 'taskrunner-special-'));

describe('store reads refuse anything but a regular file', () => {
  it('a link to /dev/zero fails at once naming the file, in every reader', async () => {
    const file = path.join(dir(), 'store.json');
    symlinkSync('/dev/zero', file);
    await expect(readJsonFile(file)).rejects.toThrow(`refusing to read ${file}: a character device, not a regular file`);
    await expect(readStore(file)).rejects.toMatchObject({ code: 'store.notAFile', file });
    await expect(updateJsonFile(file, () => 1)).rejects.toMatchObject({ code: 'store.notAFile' });
  });

  it('a FIFO fails at once naming the file (it would block a plain read forever)', async () => {
    const file = path.join(dir(), 'pending.json');
    execFileSync('mkfifo', [file]);
    await expect(readJsonFile(file)).rejects.toThrow(`refusing to read ${file}: a FIFO (named pipe), not a regular file`);
  });

  it('a folder is refused too', async () => {
    await expect(readJsonFile(dir())).rejects.toMatchObject({ code: 'store.notAFile' });
  });

  it('a file over the limit is refused naming the file and the limit', async () => {
    const file = path.join(dir(), 'big.json');
    writeFileSync(file, JSON.stringify('x'.repeat(100)));
    await expect(readStoreBytes(file, 50)).rejects.toThrow(`refusing to read ${file}: larger than the limit of 50 bytes`);
    expect((await readStoreBytes(file, 102))?.length).toBe(102);
  });

  it('memory_consolidate and alerts, as real processes, fail fast on /dev/zero and a FIFO', async () => {
    const { home, workspace } = makeHome();
    const store = path.join(workspace, 'memory', 'store.json');
    symlinkSync('/dev/zero', store);
    const consolidate = await runCli(['memory_consolidate', '--home', home, '--workspace', workspace, '--retries', '0']);
    expect(consolidate.code).toBe(1);
    expect(consolidate.stderr).toContain(`refusing to read ${store}: a character device`);

    const pending = path.join(home, 'alerts', 'pending.json');
    execFileSync('mkdir', ['-p', path.dirname(pending)]);
    execFileSync('mkfifo', [pending]);
    const alerts = await runCli(['alerts', '--json', '--home', home, '--workspace', workspace]);
    expect(alerts.code).toBe(1);
    expect(alerts.stderr).toContain(`refusing to read ${pending}: a FIFO`);
  });
});
