import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeOpenClawFailure, runOpenClaw, type OpenClawOutcome } from '../../src/openclaw/openclaw-cli.js';
import { fakeOpenClawPackage, nodeFolder, shellScript, writeInstallRecord } from '../helpers/fake-openclaw.js';

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

/** What the real OpenClaw 2026.9.6 prints when started by a Node without node:sqlite (Node 20). */
const NODE_SQLITE_FAILURE = `process.stderr.write('openclaw: Node ' + process.versions.node + ': node:sqlite is unavailable; use 24.16+/26.1+ or a build with the fix.\\nIf you use nvm, run:\\n  nvm install 26\\n  nvm use 26\\n  nvm alias default 26\\n');
process.exit(1);`;

/** A runner home (only its install record matters here). */
const runnerHome = () => mkdtempSync(path.join(tmpdir(), 'taskrunner-oc-home-'));

const failure = (outcome: OpenClawOutcome, what = 'openclaw cron list') => describeOpenClawFailure(outcome as Exclude<OpenClawOutcome, { kind: 'ok' }>, what);

describe('runOpenClaw: why a call failed', () => {
  it('names the first line that says something, not the advice after it', async () => {
    const script = [
      'echo "" >&2',
      'echo "(node:4242) ExperimentalWarning: SQLite is an experimental feature" >&2',
      'echo "(node:4242) [DEP0040] DeprecationWarning: The punycode module is deprecated." >&2',
      'echo "(Use \\`node --trace-warnings ...\\` to show where the warning was created)" >&2',
      'printf "\\033[31mGateway not reachable at ws://127.0.0.1:19999 (ECONNREFUSED).\\033[0m\\n" >&2',
      'echo "Start it with \\`openclaw gateway run\\` or check \\`openclaw gateway status\\`." >&2',
      'echo "Bind: loopback" >&2',
      'exit 1',
    ].join('\n');
    const outcome = await runOpenClaw(['cron', 'list'], { timeoutMs: 5000, env: fakeOpenClaw(script) });
    expect(failure(outcome)).toBe('openclaw cron list: exit 1: Gateway not reachable at ws://127.0.0.1:19999 (ECONNREFUSED).');
  });

  it('says plainly when the Node it ran under is older than its package.json asks', async () => {
    const pkg = fakeOpenClawPackage('>=99.0.0', NODE_SQLITE_FAILURE);
    const oldNode = nodeFolder(process.execPath);
    const env = { PATH: `${oldNode}:${pkg.binDir}:/usr/bin:/bin`, OPENCLAW_BIN: '' };
    const outcome = await runOpenClaw(['--version'], { timeoutMs: 10_000, env, home: runnerHome() });
    expect(outcome).toMatchObject({ kind: 'failed', exitCode: 1, nodeTooOld: { engines: '>=99.0.0', version: process.version, node: path.join(oldNode, 'node') } });
    expect(failure(outcome, 'openclaw --version')).toBe(
      `openclaw --version: exit 1: openclaw needs Node >=99.0.0 (its package.json); it ran under Node ${process.version} (${path.join(oldNode, 'node')})`,
    );
  });
});

describe('runOpenClaw: which openclaw, under which Node', () => {
  // A `node` first on PATH that cannot run anything: only a Node the runner chose can run the script.
  const brokenNode = () => path.dirname(shellScript('node', 'echo "not this node" >&2; exit 7'));
  const printer = 'process.stdout.write(JSON.stringify({ node: process.execPath, args: process.argv.slice(2) }));';

  it('runs a Node script as <node> <script> under the runner\'s own Node when that meets its engines', async () => {
    const pkg = fakeOpenClawPackage(`>=${process.versions.node}`, printer);
    const env = { PATH: `${brokenNode()}:${pkg.binDir}:/usr/bin:/bin`, OPENCLAW_BIN: '' };
    const outcome = await runOpenClaw(['cron', 'list'], { timeoutMs: 10_000, env });
    expect(outcome.kind).toBe('ok');
    expect(JSON.parse((outcome as { stdout: string }).stdout)).toEqual({ node: process.execPath, args: ['cron', 'list'] });
  });

  it('else under the Node recorded at install; else leaves it to the shebang', async () => {
    const pkg = fakeOpenClawPackage('>=99.0.0', printer);
    const recordedNode = shellScript('node24', 'echo "recorded node ran: $*"');
    const home = runnerHome();
    writeInstallRecord(home, { openclaw: { node: recordedNode }, installedAt: '2026-01-01T00:00:00Z' });
    const env = { PATH: `${brokenNode()}:${pkg.binDir}:/usr/bin:/bin`, OPENCLAW_BIN: '' };
    expect(await runOpenClaw(['--version'], { timeoutMs: 10_000, env, home })).toMatchObject({
      kind: 'ok',
      stdout: `recorded node ran: ${path.join(pkg.binDir, 'openclaw')} --version\n`,
    });
    // No record: the shebang's `node` (the broken one) runs it.
    const shebang = await runOpenClaw(['--version'], { timeoutMs: 10_000, env, home: runnerHome() });
    expect(shebang).toMatchObject({ kind: 'failed', exitCode: 7, stderr: 'not this node\n' });
  });

  it('finds openclaw where install recorded it when PATH has none, and $OPENCLAW_BIN first', async () => {
    const recorded = shellScript('openclaw', 'echo "recorded openclaw: $*"');
    const home = runnerHome();
    writeInstallRecord(home, { openclaw: { bin: recorded } });
    const noOpenClaw = { PATH: '/usr/bin:/bin', OPENCLAW_BIN: '' };
    expect(await runOpenClaw(['cron', 'list'], { timeoutMs: 5000, env: noOpenClaw, home })).toMatchObject({ kind: 'ok', stdout: 'recorded openclaw: cron list\n' });
    const configured = shellScript('openclaw', 'echo "configured openclaw"');
    expect(await runOpenClaw([], { timeoutMs: 5000, env: { ...noOpenClaw, OPENCLAW_BIN: configured }, home })).toMatchObject({ stdout: 'configured openclaw\n' });

    const gone = path.join(path.dirname(recorded), 'removed-openclaw');
    writeInstallRecord(home, { openclaw: { bin: gone } });
    const missing = await runOpenClaw([], { timeoutMs: 5000, env: noOpenClaw, home });
    expect(failure(missing)).toBe(`openclaw cron list: no openclaw on PATH, and ${gone} (recorded in ${path.join(home, '.runner', 'openclaw.json')}) is not an executable file`);
    const wrongBin = await runOpenClaw([], { timeoutMs: 5000, env: { ...noOpenClaw, OPENCLAW_BIN: gone }, home });
    expect(failure(wrongBin)).toBe(`openclaw cron list: ${gone} ($OPENCLAW_BIN) is not an executable file`);
  });

  it('a corrupt install record is a clear error naming it, read only when it is needed', async () => {
    const home = runnerHome();
    const file = writeInstallRecord(home, '{"openclaw": {"bin": ');
    const outcome = await runOpenClaw([], { timeoutMs: 5000, env: { PATH: '/usr/bin:/bin', OPENCLAW_BIN: '' }, home });
    expect(outcome.kind).toBe('unusable');
    expect(failure(outcome)).toMatch(new RegExp(`^openclaw cron list: the OpenClaw install record is unusable: cannot parse ${file.replace(/[.]/g, '\\.')}`));
    writeInstallRecord(home, { openclaw: { node: 'node24' } });
    const relative = await runOpenClaw([], { timeoutMs: 5000, env: { PATH: '/usr/bin:/bin', OPENCLAW_BIN: '' }, home });
    expect(failure(relative)).toBe(`openclaw cron list: the OpenClaw install record ${file}: "openclaw.node" must be an absolute path, got "node24"`);
    // An openclaw on PATH that is no Node script needs neither its path nor a Node from the record.
    writeInstallRecord(home, 'not json');
    expect(await runOpenClaw([], { timeoutMs: 5000, env: fakeOpenClaw('echo fine'), home })).toMatchObject({ kind: 'ok', stdout: 'fine\n' });
  });
});
