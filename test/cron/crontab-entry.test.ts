import { describe, expect, it } from 'vitest';
import { crontabBlock, crontabLine, withBlock } from '../../src/cron/crontab-entry.js';
import { parseCronSchedule, zoneOfSchedule } from '../../src/shared/cron-expression.js';

const daily = parseCronSchedule('0 3 * * *');
const berlin = parseCronSchedule('0 3 * * *', 'Europe/Berlin');

describe('crontab lines', () => {
  it('escapes % (the end of the command in a crontab)', () => {
    expect(crontabLine(daily, `date +'%F' >> /tmp/x`)).toBe(`0 3 * * * date +'\\%F' >> /tmp/x`);
  });

  it('marks the block, sets its zone (the host one without --tz) before the line and the one above back after it', () => {
    expect(crontabBlock('runner-a', daily, 'true', '/h/logs/cron.log')).toEqual([
      '# BEGIN taskrunner runner-a',
      expect.stringContaining('/h/logs/cron.log'),
      expect.stringMatching(/^# CRON_TZ is honoured by cronie/),
      `CRON_TZ=${zoneOfSchedule(daily)}`,
      '0 3 * * * true',
      'CRON_TZ=',
      '# END taskrunner runner-a',
    ]);
    expect(crontabBlock('runner-a', berlin, 'true', '/l', 'Asia/Tokyo').slice(3, 6)).toEqual(['CRON_TZ=Europe/Berlin', '0 3 * * * true', 'CRON_TZ=Asia/Tokyo']);
  });
});

describe('withBlock', () => {
  const mine = ['MAILTO=ops', '15 * * * * backup'];
  const builder = (name: string, command: string, schedule = daily) => (zone: string) => crontabBlock(name, schedule, command, '/l', zone);
  const blockA = builder('runner-a', 'run a');

  it('adds to an empty table, replaces in place of nothing else, and removes', () => {
    const added = withBlock('', 'runner-a', blockA);
    expect(added).toEqual({ table: `${blockA('').join('\n')}\n`, found: false });
    const replacement = builder('runner-a', 'run a', parseCronSchedule('0 4 * * *'));
    const replaced = withBlock(`${mine.join('\n')}\n${added.table}`, 'runner-a', replacement);
    expect(replaced).toEqual({ table: `${[...mine, ...replacement('')].join('\n')}\n`, found: true });
    expect(withBlock(replaced.table, 'runner-a', undefined)).toEqual({ table: `${mine.join('\n')}\n`, found: true });
    expect(withBlock(`${mine.join('\n')}\n`, 'runner-a', undefined).found).toBe(false);
  });

  it('keeps a table without a final newline and other blocks intact', () => {
    const table = withBlock(`${mine.join('\n')}`, 'runner-b', builder('runner-b', 'run b')).table;
    const both = withBlock(table, 'runner-a', blockA).table;
    expect(withBlock(both, 'runner-a', undefined).table).toBe(table);
  });

  it('puts a new block at the end and a replaced one where it was, each setting back the zone in force above it', () => {
    const zoned = builder('runner-z', 'run z', berlin);
    let table = withBlock(`CRON_TZ = "Asia/Tokyo"\n${mine.join('\n')}\n`, 'runner-z', zoned).table;
    table = `${table}CRON_TZ=America/Chicago\n0 5 * * * later\n`;
    table = withBlock(table, 'runner-a', blockA).table;
    table = withBlock(table, 'runner-z', zoned).table;
    expect(table).toBe(
      `${['CRON_TZ = "Asia/Tokyo"', ...mine, ...zoned('"Asia/Tokyo"'), 'CRON_TZ=America/Chicago', '0 5 * * * later', ...blockA('America/Chicago')].join('\n')}\n`,
    );
  });
});
