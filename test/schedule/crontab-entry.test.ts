import { describe, expect, it } from 'vitest';
import { crontabBlock, crontabLine, withBlock } from '../../src/schedule/crontab-entry.js';
import { parseCronSchedule } from '../../src/schedule/cron-schedule.js';

const daily = parseCronSchedule('0 3 * * *');
const berlin = parseCronSchedule('0 3 * * *', 'Europe/Berlin');

describe('crontab lines', () => {
  it('escapes % (the end of the command in a crontab)', () => {
    expect(crontabLine(daily, `date +'%F' >> /tmp/x`)).toBe(`0 3 * * * date +'\\%F' >> /tmp/x`);
  });

  it('marks the block and sets CRON_TZ only for a zone', () => {
    expect(crontabBlock('runner-a', daily, 'true', '/h/logs/cron.log')).toEqual([
      '# BEGIN taskrunner runner-a',
      expect.stringContaining('/h/logs/cron.log'),
      '0 3 * * * true',
      '# END taskrunner runner-a',
    ]);
    expect(crontabBlock('runner-a', berlin, 'true', '/h/logs/cron.log')).toContain('CRON_TZ=Europe/Berlin');
  });
});

describe('withBlock', () => {
  const mine = ['MAILTO=ops', '15 * * * * backup'];
  const blockA = crontabBlock('runner-a', daily, 'run a', '/l');

  it('adds to an empty table, replaces in place of nothing else, and removes', () => {
    const added = withBlock('', 'runner-a', blockA);
    expect(added).toEqual({ table: `${blockA.join('\n')}\n`, found: false });
    const replacement = crontabBlock('runner-a', parseCronSchedule('0 4 * * *'), 'run a', '/l');
    const replaced = withBlock(`${mine.join('\n')}\n${added.table}`, 'runner-a', replacement);
    expect(replaced).toEqual({ table: `${[...mine, ...replacement].join('\n')}\n`, found: true });
    expect(withBlock(replaced.table, 'runner-a', undefined)).toEqual({ table: `${mine.join('\n')}\n`, found: true });
    expect(withBlock(`${mine.join('\n')}\n`, 'runner-a', undefined).found).toBe(false);
  });

  it('keeps a table without a final newline and other blocks intact', () => {
    const other = crontabBlock('runner-b', daily, 'run b', '/l');
    const table = withBlock(`${mine.join('\n')}`, 'runner-b', other).table;
    const both = withBlock(table, 'runner-a', blockA).table;
    expect(withBlock(both, 'runner-a', undefined).table).toBe(table);
  });

  it('puts a block with CRON_TZ after the others, and one without before it', () => {
    const zoned = crontabBlock('runner-z', berlin, 'run z', '/l');
    let table = withBlock(`${mine.join('\n')}\n`, 'runner-z', zoned).table;
    table = withBlock(table, 'runner-a', blockA).table;
    expect(table).toBe(`${[...mine, ...blockA, ...zoned].join('\n')}\n`);
  });
});
