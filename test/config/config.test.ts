import { mkdtempSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { expandHome, loadSettings, validateConfig } from '../../src/config/config.js';
import { RunnerError } from '../../src/shared/errors.js';

function tempHome(config?: unknown, mode = 0o644): string {
  const home = mkdtempSync(path.join(tmpdir(), 'taskrunner-config-'));
  if (config !== undefined) {
    const file = path.join(home, 'runner.config.json');
    writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
    chmodSync(file, mode);
  }
  return home;
}

describe('validateConfig', () => {
  it('accepts the full example of SPEC §2', () => {
    const example = {
      workspace: '~/.openclaw/workspace',
      timezone: 'Europe/Berlin',
      retry: { attempts: 3, minTimeoutMs: 1000, factor: 2, jitter: false },
      lock: { staleMs: 30000 },
      gateway: { url: 'http://127.0.0.1:18789/health', timeoutMs: 5000 },
      disk: { warnPercent: 80, criticalPercent: 90 },
      memory: { captureThreshold: 0.85, dedupeThreshold: 0.9, maxAgeDays: 14, minImportance: 0.3 },
      logs: { maxBytes: 10485760, keep: 5 },
      queue: { url: 'redis://127.0.0.1:6379', prefix: 'taskrunner' },
      tasks: { memory_consolidate: { timeout: '10m', attempts: 2 } },
    };
    expect(validateConfig(example, 'c.json')).toEqual(example);
  });

  it('accepts a task schedule as runner cron --cron takes it, a zone, and false for none', () => {
    const config = { tasks: { backup: { schedule: '*/30  * * * *', tz: 'Asia/Tokyo' }, nightly: { schedule: '@daily' }, system_health: { schedule: false } } };
    expect(validateConfig(config, 'c.json')).toEqual(config);
  });

  it.each([
    [{ colour: true }, 'colour'],
    [{ retry: { attempts: 0 } }, 'retry.attempts'],
    [{ retry: { tries: 2 } }, 'retry.tries'],
    [{ timezone: 'Mars/Olympus' }, 'timezone'],
    [{ memory: { dedupeThreshold: 1.5 } }, 'memory.dedupeThreshold'],
    [{ tasks: { 'Bad Name': {} } }, 'tasks'],
    [{ tasks: { ['x'.repeat(65)]: {} } }, 'at most 64 characters'],
    [{ tasks: { ok: { attempts: 'two' } } }, 'tasks.ok.attempts'],
    [{ dashboard: { publicOrigin: 'runner.example.org' } }, 'dashboard.publicOrigin: expected an origin'],
    [{ dashboard: { publicOrigin: 'https://user@runner.example.org' } }, 'dashboard.publicOrigin'],
    [{ dashboard: { publicOrigin: 'https://runner.example.org/?' } }, 'dashboard.publicOrigin'],
    [{ dashboard: { trustProxy: 1 } }, 'dashboard.trustProxy'],
    [{ tasks: { backup: { schedule: '* * *' } } }, 'tasks.backup.schedule: "* * *" has 3 fields; expected 5'],
    [{ tasks: { backup: { schedule: '61 * * * *' } } }, 'tasks.backup.schedule: "61 * * * *" is not a valid cron expression'],
    [{ tasks: { backup: { schedule: '0 0 31 2 *' } } }, 'tasks.backup.schedule: "0 0 31 2 *" never runs'],
    [{ tasks: { backup: { schedule: '@reboot' } } }, 'tasks.backup.schedule: "@reboot": expected one of @yearly'],
    [{ tasks: { backup: { schedule: true } } }, 'tasks.backup.schedule: a cron expression such as "*/15 * * * *", or false for none'],
    [{ tasks: { backup: { tz: 'Mars/Olympus' } } }, 'tasks.backup.tz: not a known IANA time zone'],
  ])('rejects %j naming %s', (config, key) => {
    try {
      validateConfig(config, '/h/runner.config.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RunnerError);
      expect((error as RunnerError).code).toBe('config.invalid');
      expect((error as Error).message).toContain('/h/runner.config.json');
      expect((error as Error).message).toContain(key);
    }
  });
});

describe('dashboard.publicOrigin', () => {
  it('takes alerts.push as false (off) or an object, and names anything else', () => {
    expect(validateConfig({ alerts: { push: false } }, 'c.json').alerts).toEqual({ push: false });
    expect(validateConfig({ alerts: { push: { minLevel: 'warning' } } }, 'c.json').alerts).toEqual({ push: { minLevel: 'warning' } });
    expect(() => validateConfig({ alerts: { push: true } }, 'c.json')).toThrow(/alerts\.push: false, or an object such as \{"minLevel": "error"\}/);
  });

  it('is read as a browser sends an Origin: lower case, no default port, no trailing slash', () => {
    expect(validateConfig({ dashboard: { publicOrigin: 'HTTPS://Runner.Example.org:443/' } }, 'c.json').dashboard).toEqual({ publicOrigin: 'https://runner.example.org' });
    expect(validateConfig({ dashboard: { publicOrigin: 'http://[::1]:8443', trustProxy: true } }, 'c.json').dashboard).toEqual({ publicOrigin: 'http://[::1]:8443', trustProxy: true });
  });
});

describe('loadSettings', () => {
  const env = { HOME: '/home/op' } as NodeJS.ProcessEnv;

  it('resolves the workspace: flag, then env, then config, then OpenClaw\'s default', () => {
    const home = tempHome({ workspace: '$HOME/from-config' });
    expect(loadSettings({ home, workspace: '~/flag' }, { ...env, OPENCLAW_WORKSPACE: '/env' }).workspace).toBe('/home/op/flag');
    expect(loadSettings({ home }, { ...env, OPENCLAW_WORKSPACE: '/env' }).workspace).toBe('/env');
    expect(loadSettings({ home }, env).workspace).toBe('/home/op/from-config');
    expect(loadSettings({ home: tempHome() }, env).workspace).toBe('/home/op/.openclaw/workspace');
    expect(loadSettings({ home: tempHome() }, { ...env, OPENCLAW_PROFILE: 'work' }).workspace).toBe('/home/op/.openclaw-work/workspace');
  });

  it('takes the home from RUNNER_HOME when no flag is given', () => {
    const home = tempHome();
    expect(loadSettings({}, { ...env, RUNNER_HOME: home }).home).toBe(home);
  });

  it('refuses a group-writable config file, naming it', () => {
    const home = tempHome({}, 0o664);
    expect(() => loadSettings({ home }, env)).toThrow(/refusing to load config file .*runner\.config\.json: writable by group/);
  });

  it('says a UTF-16 config file must be UTF-8, instead of a garbled parse error', () => {
    const home = tempHome();
    const file = path.join(home, 'runner.config.json');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"retry": {}}', 'utf16le')]), { mode: 0o644 });
    expect(() => loadSettings({ home }, env)).toThrow(/config file .*runner\.config\.json is not UTF-8 \(it looks like UTF-16\); save it as UTF-8/);
    writeFileSync(file, Buffer.from('{"retry": {}}', 'utf16le'));
    expect(() => loadSettings({ home }, env)).toThrow(/is not UTF-8/);
  });

  it('says --config names a folder, not a file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'taskrunner-config-dir-'));
    mkdirSync(path.join(dir, 'sub'));
    expect(() => loadSettings({ home: tempHome(), config: dir }, env)).toThrow(new RegExp(`config file ${dir} is a folder; expected a JSON file`));
  });

  it.each([['[]', 'an array'], ['42', '42'], ['null', 'null']])('refuses a config of %s, naming the file', (text, got) => {
    const home = tempHome(text);
    expect(() => loadSettings({ home }, env)).toThrow(new RegExp(`invalid config .*runner\\.config\\.json: expected a JSON object .*got ${got}`));
  });

  it('reads a bare number of seconds as a task timeout and refuses one beyond the timer limit', () => {
    expect(validateConfig({ tasks: { x: { timeout: 30 } } }, 'c.json').tasks?.x?.timeout).toBe(30);
    expect(() => validateConfig({ tasks: { x: { timeout: 0 } } }, 'c.json')).toThrow(/tasks\.x\.timeout: a duration of at least 1 ms and at most 24\.8 days/);
    expect(() => validateConfig({ tasks: { x: { timeout: '25d' } } }, 'c.json')).toThrow(/tasks\.x\.timeout: .*at most 24\.8 days/);
    expect(() => validateConfig({ lock: { staleMs: 2 ** 31 } }, 'c.json')).toThrow(/lock\.staleMs: at most 2147483647 ms/);
  });

  it('reports a missing --config file', () => {
    expect(() => loadSettings({ home: tempHome(), config: '/nowhere/c.json' }, env)).toThrow(/config file not found: \/nowhere\/c\.json/);
  });
});

describe('expandHome', () => {
  it('expands ~, $HOME and ${HOME}', () => {
    const env = { HOME: '/home/op' } as NodeJS.ProcessEnv;
    expect(expandHome('~/w', env)).toBe('/home/op/w');
    expect(expandHome('$HOME/.openclaw/workspace', env)).toBe('/home/op/.openclaw/workspace');
    expect(expandHome('${HOME}/x', env)).toBe('/home/op/x');
    expect(expandHome('/abs/~notme', env)).toBe('/abs/~notme');
  });
});
