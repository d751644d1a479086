import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { satisfiesNodeRange } from '../../src/openclaw/node-engines.js';
import { makeHome, runCli } from '../helpers/cli.js';
import { nodeFolder, writeInstallRecord } from '../helpers/fake-openclaw.js';
import { cachedOpenClaw } from '../openclaw-real/helpers.js';

// The real OpenClaw (a `#!/usr/bin/env node` script needing Node >=24.16) started by the runner
// with the machine's older Node first on PATH, as under cron or an OpenClaw job. No gateway needed.
const found = cachedOpenClaw();
const skipReason = 'skipReason' in found ? found.skipReason : undefined;
if (skipReason) console.warn(skipReason);

/** The machine's own Node (20 here), which OpenClaw 2026.9 does not run under. */
const MACHINE_NODE = '/usr/bin/node';
const OPENCLAW_ENGINES = '>=24.16.0 <25 || >=26.1.0';

describe.skipIf(skipReason !== undefined)('the real OpenClaw, run by the runner with an old Node first on PATH', () => {
  const install = 'install' in found ? found.install : undefined!;
  const machineVersion = () => execFileSync(MACHINE_NODE, ['--version'], { encoding: 'utf8' }).trim();

  function doctor(home: string, workspace: string) {
    const oldNode = nodeFolder(MACHINE_NODE);
    // OPENCLAW_BIN names the entry script itself, not the cache's wrapper that runs it with Node 24.
    const env = { PATH: `${oldNode}:/usr/bin:/bin`, OPENCLAW_BIN: install.openclaw, HOME: path.join(home, 'user') };
    return runCli(['doctor', '--home', home, '--workspace', workspace, '--json'], { env }).then((run) => {
      const items = (JSON.parse(run.stdout) as { items: { name: string; state: string; detail: string }[] }).items;
      return { oldNode, openclaw: items.find((item) => item.name === 'openclaw')! };
    });
  }

  it('the machine\'s Node is one OpenClaw refuses (what the test is about)', () => {
    expect(satisfiesNodeRange(machineVersion(), OPENCLAW_ENGINES)).toBe(false);
  });

  it('runs `openclaw --version` under the Node recorded at install (or its own, when that is new enough)', async () => {
    const { home, workspace } = makeHome('taskrunner-real-node-');
    writeInstallRecord(home, { openclaw: { bin: install.openclaw, node: install.node } });
    const { openclaw } = await doctor(home, workspace);
    expect(openclaw).toMatchObject({ state: 'ok', detail: expect.stringMatching(/^OpenClaw 2026\.9\.6 .*; runs under /) });
    const ownIsNewEnough = satisfiesNodeRange(process.version, OPENCLAW_ENGINES) === true;
    expect(openclaw.detail).toContain(ownIsNewEnough ? `runs under ${process.execPath} (the runner's own` : `runs under ${install.node} (recorded at install`);
  });

  it('without a record, says which Node it ran under and what it needs, unless the runner\'s own Node is new enough', async () => {
    const { home, workspace } = makeHome('taskrunner-real-node-');
    const { oldNode, openclaw } = await doctor(home, workspace);
    if (satisfiesNodeRange(process.version, OPENCLAW_ENGINES) === true) {
      expect(openclaw).toMatchObject({ state: 'ok', detail: expect.stringContaining(`runs under ${process.execPath} (the runner's own`) });
    } else {
      expect(openclaw).toMatchObject({
        state: 'problem',
        detail: `${install.openclaw} --version: exit 1: openclaw needs Node ${OPENCLAW_ENGINES} (its package.json); it ran under Node ${machineVersion()} (${path.join(oldNode, 'node')})`,
      });
    }
  });
});
