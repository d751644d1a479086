import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/config.js';
import { openClawConfigPath, openClawStateDir } from '../../src/config/openclaw-workspace.js';
import { needsNonRootUser } from '../helpers/non-root.js';
import { writeFile } from '../helpers/cli.js';

/** A fake user home (`HOME`), a runner home in it, and the environment that names only that HOME. */
function setup(runnerConfig?: unknown) {
  const user = mkdtempSync(path.join(tmpdir(), 'taskrunner-ws-'));
  const home = path.join(user, 'runner');
  mkdirSync(home);
  if (runnerConfig !== undefined) writeFileSync(path.join(home, 'runner.config.json'), JSON.stringify(runnerConfig), { mode: 0o644 });
  const env: NodeJS.ProcessEnv = { HOME: user };
  const write = (relative: string, text: string) => writeFile(user, relative, text);
  const workspaceOf = (extra: NodeJS.ProcessEnv = {}, workspace?: string) => loadSettings({ home, workspace }, { ...env, ...extra }).workspace;
  return { user, home, env, write, workspaceOf };
}

// What OpenClaw users write: comments, unquoted keys, single quotes, trailing commas.
const json5Config = (workspace: string) => `// OpenClaw config
{
  gateway: { mode: 'local', port: 19012, },
  /* the agent */
  agents: {
    defaults: {
      workspace: '${workspace}', // where the agent lives
      heartbeat: { every: '30m' },
    },
  },
}
`;

describe('workspace resolution (OpenClaw\'s rule)', () => {
  it('defaults to <state-dir>/workspace under ~/.openclaw', () => {
    const t = setup();
    expect(t.workspaceOf()).toBe(path.join(t.user, '.openclaw', 'workspace'));
  });

  it('reads agents.defaults.workspace from a JSON5 openclaw.json in the state dir, expanding ~', () => {
    const t = setup();
    t.write('.openclaw/openclaw.json', json5Config('~/agents/main'));
    expect(t.workspaceOf()).toBe(path.join(t.user, 'agents', 'main'));
  });

  it('takes OpenClaw\'s config from $OPENCLAW_CONFIG_PATH (with ~ and $HOME expanded)', () => {
    const t = setup();
    t.write('.openclaw/openclaw.json', json5Config('/ignored'));
    t.write('etc/oc.json5', json5Config('$HOME/from-config-path'));
    expect(t.workspaceOf({ OPENCLAW_CONFIG_PATH: '~/etc/oc.json5' })).toBe(path.join(t.user, 'from-config-path'));
    expect(openClawConfigPath({ ...t.env, OPENCLAW_CONFIG_PATH: '$HOME/etc/oc.json5' })).toBe(path.join(t.user, 'etc', 'oc.json5'));
  });

  it('moves the whole state folder with $OPENCLAW_STATE_DIR: its openclaw.json, else its workspace/', () => {
    const t = setup();
    const state = path.join(t.user, 'state');
    expect(t.workspaceOf({ OPENCLAW_STATE_DIR: state })).toBe(path.join(state, 'workspace'));
    t.write('state/openclaw.json', json5Config('/srv/agent'));
    expect(t.workspaceOf({ OPENCLAW_STATE_DIR: state })).toBe('/srv/agent');
  });

  it('uses ~/.openclaw-<profile> for $OPENCLAW_PROFILE; the profile "default" is ~/.openclaw', () => {
    const t = setup();
    expect(t.workspaceOf({ OPENCLAW_PROFILE: 'work' })).toBe(path.join(t.user, '.openclaw-work', 'workspace'));
    expect(t.workspaceOf({ OPENCLAW_PROFILE: 'default' })).toBe(path.join(t.user, '.openclaw', 'workspace'));
    t.write('.openclaw-work/openclaw.json', json5Config('/srv/work-agent'));
    expect(t.workspaceOf({ OPENCLAW_PROFILE: 'work' })).toBe('/srv/work-agent');
    // The state dir wins over the profile, as in OpenClaw.
    expect(openClawStateDir({ ...t.env, OPENCLAW_PROFILE: 'work', OPENCLAW_STATE_DIR: '/s' })).toBe('/s');
  });

  it('uses $OPENCLAW_WORKSPACE_DIR below OpenClaw\'s config and above the state dir default', () => {
    const t = setup();
    expect(t.workspaceOf({ OPENCLAW_WORKSPACE_DIR: '~/ws-dir' })).toBe(path.join(t.user, 'ws-dir'));
    t.write('.openclaw/openclaw.json', json5Config('/from/openclaw-config'));
    expect(t.workspaceOf({ OPENCLAW_WORKSPACE_DIR: '~/ws-dir' })).toBe('/from/openclaw-config');
  });

  it('ranks --workspace, then $OPENCLAW_WORKSPACE, then the runner config, then OpenClaw\'s rule', () => {
    const t = setup({ workspace: '~/runner-config' });
    t.write('.openclaw/openclaw.json', json5Config('/from/openclaw-config'));
    const all = { OPENCLAW_WORKSPACE: '/legacy-env', OPENCLAW_WORKSPACE_DIR: '/ws-dir' };
    expect(t.workspaceOf(all, '/flag')).toBe('/flag');
    expect(t.workspaceOf(all)).toBe('/legacy-env');
    expect(t.workspaceOf({ OPENCLAW_WORKSPACE_DIR: '/ws-dir' })).toBe(path.join(t.user, 'runner-config'));
    // A blank variable (`OPENCLAW_WORKSPACE=` in a crontab) is unset, not the current folder.
    expect(t.workspaceOf({ OPENCLAW_WORKSPACE: '' })).toBe(path.join(t.user, 'runner-config'));
  });

  it('does not read OpenClaw\'s config when an earlier source decided', () => {
    const t = setup({ workspace: '/decided' });
    t.write('.openclaw/openclaw.json', '{ not json5 at all');
    expect(t.workspaceOf()).toBe('/decided');
    expect(t.workspaceOf({}, '/flag')).toBe('/flag');
    expect(t.workspaceOf({ OPENCLAW_WORKSPACE: '/env' })).toBe('/env');
  });

  it.each([
    ['a syntax error', '{ agents: { defaults: { workspace: "/x" } }', /OpenClaw config .*openclaw\.json cannot be parsed: JSON5: .*at \d+:\d+/],
    ['a workspace that is not a string', '{ agents: { defaults: { workspace: 42 } } }', /OpenClaw config .*openclaw\.json: agents\.defaults\.workspace must be a non-empty string, got 42/],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /OpenClaw config .*openclaw\.json is not UTF-8/],
  ])('refuses an OpenClaw config with %s, naming the file', (_what, text, message) => {
    const t = setup();
    const file = t.write('.openclaw/openclaw.json', '');
    writeFileSync(file, text);
    expect(() => t.workspaceOf()).toThrow(message);
    try {
      t.workspaceOf();
    } catch (error) {
      expect((error as { code: string; file: string }).code).toBe('config.invalid');
      expect((error as { file: string }).file).toBe(file);
    }
  });

  it('reads OpenClaw\'s config only when the workspace is asked for: the rest of the settings load without it', () => {
    const t = setup();
    t.write('.openclaw/openclaw.json', '{ not json5 at all');
    const settings = loadSettings({ home: t.home }, t.env);
    expect(settings.home).toBe(t.home);
    expect(() => settings.workspace).toThrow(/cannot be parsed/);
  });

  it('refuses an unreadable OpenClaw config, naming it', (context) => {
    needsNonRootUser(context);
    const t = setup();
    const file = t.write('.openclaw/openclaw.json', json5Config('/x'));
    chmodSync(file, 0o000);
    expect(() => t.workspaceOf()).toThrow(new RegExp(`cannot read OpenClaw config ${file}: EACCES`));
  });

  it('refuses a folder in place of the OpenClaw config, naming it', () => {
    const t = setup();
    const folder = path.join(t.user, 'oc-folder');
    mkdirSync(folder);
    expect(() => t.workspaceOf({ OPENCLAW_CONFIG_PATH: folder })).toThrow(new RegExp(`OpenClaw config ${folder} is not a regular file`));
  });

  it('falls through when OpenClaw\'s config does not set agents.defaults.workspace', () => {
    const t = setup();
    t.write('.openclaw/openclaw.json', '{ gateway: { port: 1 }, agents: { defaults: {} } }');
    expect(t.workspaceOf({ OPENCLAW_WORKSPACE_DIR: '/ws-dir' })).toBe('/ws-dir');
  });
});
