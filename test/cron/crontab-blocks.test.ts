import { describe, expect, it } from 'vitest';
import { findBlocks } from '../../src/cron/crontab-blocks.js';
import { RunnerError } from '../../src/shared/errors.js';

describe('findBlocks', () => {
  it('pairs each BEGIN with its END, markers indented or not, and leaves look-alike comments alone', () => {
    const lines = [
      '# BEGIN taskrunner my notes',
      '  # BEGIN taskrunner runner-a  ',
      '0 3 * * * a',
      '# END taskrunner runner-a',
      '# BEGIN taskrunner runner-b',
      '# END taskrunner runner-b',
      '# END taskrunner of my notes',
    ];
    expect(findBlocks(lines)).toEqual([
      { name: 'runner-a', begin: 1, end: 3 },
      { name: 'runner-b', begin: 4, end: 5 },
    ]);
  });

  it('refuses markers that do not pair up, as bad input', () => {
    let error: unknown;
    try {
      findBlocks(['# BEGIN taskrunner runner-a', '0 3 * * * mine']);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(RunnerError);
    expect(error).toMatchObject({ code: 'schedule.brokenCrontab', exitCode: 1, retryable: false });
    expect((error as Error).message).toBe(
      'crontab line 1: "# BEGIN taskrunner runner-a" has no "# END taskrunner runner-a" after it; fix it with crontab -e (nothing was changed)',
    );
  });
});
