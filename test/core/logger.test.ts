import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readableLogLine, type ReadableLogStyle } from '../../src/core/readable-log.js';
import { assertFreshBuild } from '../helpers/fresh-build.js';

const library = pathToFileURL(path.resolve(import.meta.dirname, '../../dist/index.mjs')).href;

// The logger writes to the process's own stderr (fd 2), so it is watched from a child process.
function stderrLines(script: string): Record<string, unknown>[] {
  assertFreshBuild();
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', `import { createStderrLogger } from '${library}';\n${script}`], { encoding: 'utf8' });
  expect(run.status, run.stderr).toBe(0);
  return run.stderr
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('createStderrLogger', () => {
  it('gives children their bindings and the level of their parent, before and after the parent has logged', () => {
    const lines = stderrLines(`
      const log = createStderrLogger('info', false);
      const early = log.child({ task: 'early', run_id: 'r0' });
      log.info('parent');
      const late = log.child({ task: 'late', run_id: 'r1' });
      early.debug('hidden');
      late.debug('hidden');
      early.info('early line');
      late.info('late line');
      const quiet = createStderrLogger('warn', false);
      quiet.info('x');
      quiet.warn('woken');
      const child = quiet.child({ task: 'q' });
      child.info('hidden');
      child.warn('child warns');
      child.child({ step: 2 }).error('grandchild');
    `);
    expect(lines.map((line) => [line.msg, line.task, line.run_id, line.step])).toEqual([
      ['parent', undefined, undefined, undefined],
      ['early line', 'early', 'r0', undefined],
      ['late line', 'late', 'r1', undefined],
      ['woken', undefined, undefined, undefined],
      ['child warns', 'q', undefined, undefined],
      ['grandchild', 'q', undefined, 2],
    ]);
  });
});

describe('createStderrLogger, readable', () => {
  it('writes one line per entry to stderr, child bindings and error included', () => {
    assertFreshBuild();
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `import { createStderrLogger } from '${library}';
        const log = createStderrLogger('info', true).child({ task: 'backup', run_id: 'r1' });
        log.info({ files: 3 }, 'copied');
        log.debug('hidden');
        log.warn({ err: new Error('disk full') }, 'could not copy');`],
      { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );
    expect(run.stderr).toBe('backup: copied (files=3)\nbackup: warning: could not copy: disk full\n');
  });
});

describe('readableLogLine', () => {
  const plain: ReadableLogStyle = { color: false, stacks: false, attempts: true };
  const entry = (fields: Record<string, unknown>) => ({ level: 30, time: 0, task: 'backup', run_id: 'r1', ...fields });
  const attempt = (fields: Record<string, unknown>) =>
    entry({ level: 40, attempt: 2, retries_left: 1, attempts: 3, err: { type: 'Error', message: 'boom', stack: 'Error: boom\n    at x' }, msg: 'attempt 2 failed: boom', ...fields });

  it('names the task, the level unless info, and the fields beside the message, quoting what could be misread', () => {
    expect(readableLogLine(entry({ msg: 'copied', files: 3, dest: '/srv/b', note: 'two words', list: ['a'], empty: '' }), plain)).toBe(
      'backup: copied (files=3, dest=/srv/b, note="two words", list=["a"], empty="")\n',
    );
    expect(readableLogLine({ level: 40, time: 0, msg: 'queue server: gone (reconnecting)' }, plain)).toBe('warning: queue server: gone (reconnecting)\n');
    expect(readableLogLine(entry({ level: 50, msg: 'lock compromised', err: { message: 'lock file removed' } }), plain)).toBe('backup: error: lock compromised: lock file removed\n');
    expect(readableLogLine(entry({ level: 20, msg: 'run finished', status: 'success' }), plain)).toBe('backup: debug: run finished (status=success)\n');
  });

  it('words a failed attempt with its count and wait, leaves it out when quiet, and adds the stack when verbose', () => {
    expect(readableLogLine(attempt({ retry_in_ms: 2000 }), plain)).toBe('backup: attempt 2 of 3 failed: boom (retrying in 2s)\n');
    expect(readableLogLine(attempt({ retry_in_ms: 1500, retry_in_max_ms: 3000 }), plain)).toBe('backup: attempt 2 of 3 failed: boom (retrying in 1.5s to 3s)\n');
    expect(readableLogLine(attempt({ retry_in_ms: 150_000 }), plain)).toBe('backup: attempt 2 of 3 failed: boom (retrying in 2m 30s)\n');
    expect(readableLogLine(attempt({ retries_left: 0, msg: 'attempt 2 failed: boom (not retried)' }), plain)).toBe('backup: attempt 2 of 3 failed: boom (not retried)\n');
    expect(readableLogLine(attempt({ attempts: undefined }), plain)).toBe('backup: attempt 2 failed: boom\n');
    expect(readableLogLine(attempt({}), { ...plain, attempts: false })).toBeUndefined();
    expect(readableLogLine(attempt({}), { ...plain, stacks: true })).toBe('backup: attempt 2 of 3 failed: boom\n  Error: boom\n      at x\n');
  });

  it('colours the level, the attempt and the details, and dims a debug line as a whole', () => {
    const color = { ...plain, color: true };
    expect(readableLogLine(entry({ level: 40, msg: 'low disk', free: '2%' }), color)).toBe('backup: \u001b[33mwarning\u001b[0m: low disk \u001b[2m(free=2%)\u001b[0m\n');
    expect(readableLogLine(attempt({}), color)).toBe('backup: \u001b[33mattempt 2 of 3 failed: boom\u001b[0m\n');
    expect(readableLogLine(entry({ level: 20, msg: 'done', n: 1 }), color)).toBe('\u001b[2mbackup: debug: done (n=1)\u001b[0m\n');
  });
});
