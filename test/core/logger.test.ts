import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const library = pathToFileURL(path.resolve(import.meta.dirname, '../../dist/index.mjs')).href;

// The logger writes to the process's own stderr (fd 2), so it is watched from a child process.
function stderrLines(script: string): Record<string, unknown>[] {
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
