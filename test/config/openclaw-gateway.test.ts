import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/config.js';
import { gatewayTarget } from '../../src/config/openclaw-gateway.js';
import { writeFile } from '../helpers/cli.js';

/** A user HOME of its own and a way to write files in it. */
function userHome() {
  const user = mkdtempSync(path.join(tmpdir(), 'taskrunner-gw-url-'));
  const env: NodeJS.ProcessEnv = { HOME: user };
  const write = (relative: string, text: string) => writeFile(user, relative, text);
  return { user, env, write };
}

describe('where the runner probes the gateway', () => {
  it('OpenClaw\'s default port without any config', () => {
    const t = userHome();
    expect(gatewayTarget(undefined, t.env)).toEqual({ url: 'http://127.0.0.1:18789/health', from: "OpenClaw's default port" });
  });

  it('gateway.port of a JSON5 openclaw.json in the state dir, a profile\'s, or $OPENCLAW_CONFIG_PATH\'s', () => {
    const t = userHome();
    const file = t.write('.openclaw/openclaw.json', "// comment\n{ gateway: { mode: 'local', port: 19012, bind: 'lan', }, }\n");
    expect(gatewayTarget(undefined, t.env)).toEqual({ url: 'http://127.0.0.1:19012/health', from: `gateway.port in ${file}` });
    t.write('.openclaw-work/openclaw.json', '{ gateway: { port: 19013 } }');
    expect(gatewayTarget(undefined, { ...t.env, OPENCLAW_PROFILE: 'work' }).url).toBe('http://127.0.0.1:19013/health');
    t.write('etc/oc.json5', '{ gateway: { port: 19014 } }');
    expect(gatewayTarget(undefined, { ...t.env, OPENCLAW_CONFIG_PATH: '~/etc/oc.json5' }).url).toBe('http://127.0.0.1:19014/health');
  });

  it('$OPENCLAW_GATEWAY_PORT wins over the config, as in OpenClaw; HTTPS when gateway.tls.enabled', () => {
    const t = userHome();
    t.write('.openclaw/openclaw.json', '{ gateway: { port: 19012, tls: { enabled: true } } }');
    expect(gatewayTarget(undefined, t.env).url).toBe('https://127.0.0.1:19012/health');
    expect(gatewayTarget(undefined, { ...t.env, OPENCLAW_GATEWAY_PORT: '19020' })).toEqual({ url: 'https://127.0.0.1:19020/health', from: '$OPENCLAW_GATEWAY_PORT' });
  });

  it('gateway.url of the runner\'s config wins, and OpenClaw\'s config is then not read', () => {
    const t = userHome();
    t.write('.openclaw/openclaw.json', '{ broken');
    expect(gatewayTarget('http://10.0.0.2:9000/healthz', t.env)).toEqual({ url: 'http://10.0.0.2:9000/healthz', from: 'gateway.url in the runner config' });
  });

  it('a port that is no port, in the file or the environment, is an error naming where', () => {
    const t = userHome();
    const file = t.write('.openclaw/openclaw.json', '{ gateway: { port: "19012" } }');
    expect(() => gatewayTarget(undefined, t.env)).toThrow(`OpenClaw config ${file}: gateway.port must be a port number (1-65535), got "19012"`);
    t.write('.openclaw/openclaw.json', '{ gateway: { port: 70000 } }');
    expect(() => gatewayTarget(undefined, t.env)).toThrow(/gateway\.port must be a port number \(1-65535\), got 70000/);
    t.write('.openclaw/openclaw.json', '{ gateway: { tls: { enabled: "yes" } } }');
    expect(() => gatewayTarget(undefined, t.env)).toThrow(/gateway\.tls\.enabled must be true or false, got "yes"/);
    t.write('.openclaw/openclaw.json', '{}');
    expect(() => gatewayTarget(undefined, { ...t.env, OPENCLAW_GATEWAY_PORT: 'http' })).toThrow('$OPENCLAW_GATEWAY_PORT must be a port number (1-65535), got "http"');
  });

  it('the one read of openclaw.json serves the workspace and the port, and an edit is seen by the next question', () => {
    const t = userHome();
    const home = path.join(t.user, 'runner');
    mkdirSync(home);
    const file = t.write('.openclaw/openclaw.json', "{ gateway: { port: 19012 }, agents: { defaults: { workspace: '~/agent' } } }");
    expect(loadSettings({ home }, t.env).workspace).toBe(path.join(t.user, 'agent'));
    expect(gatewayTarget(undefined, t.env).url).toBe('http://127.0.0.1:19012/health');
    // Replaced the way editors and OpenClaw itself write it: a new file renamed into place.
    writeFileSync(`${file}.tmp`, "{ gateway: { port: 19099 }, agents: { defaults: { workspace: '~/agent' } } }");
    renameSync(`${file}.tmp`, file);
    expect(gatewayTarget(undefined, t.env).url).toBe('http://127.0.0.1:19099/health');
  });
});
