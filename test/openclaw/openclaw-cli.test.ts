import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeOpenClawFailure, runOpenClaw } from '../../src/openclaw/openclaw-cli.js';

// A stand-in `openclaw` executable, first on PATH, running `script` (sh).
function fakeOpenClaw(script: string): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(tmpdir(), 'fake-openclaw-'));
  const bin = path.join(dir, 'openclaw');
  writeFileSync(bin, `#!/bin/sh\n${script}\n`);
  chmodSync(bin, 0o755);
  return { ...process.env, PATH: `${dir}:/usr/bin:/bin`, OPENCLAW_BIN: '' };
}

describe('runOpenClaw', () => {
  it('passes the arguments without a shell and returns the output', async () => {
    const env = fakeOpenClaw('printf "%s|" "$@"');
    const outcome = await runOpenClaw(['cron', 'add', '--command', 'echo $HOME; rm -rf /'], { timeoutMs: 5000, env });
    expect(outcome).toEqual({ kind: 'ok', stdout: 'cron|add|--command|echo $HOME; rm -rf /|', stderr: '' });
  });

  it('tells a missing executable, a non-zero exit and a hang apart', async () => {
    const missing = await runOpenClaw(['cron', 'list'], { timeoutMs: 5000, env: { PATH: '/nonexistent' } });
    expect(missing).toEqual({ kind: 'missing', command: 'openclaw' });
    expect(describeOpenClawFailure(missing as never, 'cron list')).toBe('cron list: no openclaw on PATH');

    const failed = await runOpenClaw([], { timeoutMs: 5000, env: fakeOpenClaw('echo "Gateway not reachable: ECONNREFUSED" >&2; exit 1') });
    expect(failed).toMatchObject({ kind: 'failed', exitCode: 1 });
    expect(describeOpenClawFailure(failed as never, 'cron list')).toBe('cron list: exit 1: Gateway not reachable: ECONNREFUSED');

    const hung = await runOpenClaw([], { timeoutMs: 300, env: fakeOpenClaw('exec sleep 30') });
    expect(hung).toEqual({ kind: 'timedOut', timeoutMs: 300 });
  });
});
