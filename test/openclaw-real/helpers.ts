/**
 * Helpers for the real-OpenClaw leg (`npm run test:openclaw`): install OpenClaw once into a cache
 * folder, start a gateway of its own per test file, call `openclaw` and `runner` against it, and
 * wait for what a gateway does in its own time. Reusable by any test under test/openclaw-real/
 * (system_health, system event, heartbeat assertions go in files of their own next to cron.test.ts).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, REPO_ROOT, type CliResult } from '../helpers/cli.js';
import { assertFreshBuild } from '../helpers/fresh-build.js';
import { runOpenClaw, type OpenClawOutcome } from '../../src/openclaw/openclaw-cli.js';
import { scriptedProviderConfig } from './scripted-model.js';

/** Where `scripts/install-openclaw.mjs` put Node 24 and OpenClaw. */
export interface OpenClawInstall {
  /** Node 24 binary. */
  node: string;
  /** OpenClaw's entry script (run with `node`). */
  openclaw: string;
  /** `#!/bin/sh` wrapper running the entry with Node 24: what `OPENCLAW_BIN` points at. */
  bin: string;
}

/**
 * Install OpenClaw (or find it in the cache). Under `CI=true` a failed install throws, failing the
 * leg; elsewhere (no registry on a laptop) it returns the reason, for `describe.skipIf`.
 */
export function installOpenClaw(): { install: OpenClawInstall } | { skipReason: string } {
  try {
    const stdout = execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'install-openclaw.mjs')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { install: JSON.parse(stdout.trim().split('\n').pop() ?? '') as OpenClawInstall };
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || String(error);
    if (process.env.CI === 'true') throw new Error(`installing OpenClaw failed (CI=true, so the real leg cannot be skipped): ${detail}`);
    return { skipReason: `real OpenClaw not available, skipping the real leg: ${detail.split('\n').pop()}` };
  }
}

/**
 * OpenClaw for the main suite's quick checks that need no gateway (`openclaw --version`): the
 * cached install, found without installing; when the cache lacks it the checks are skipped with
 * the reason, except under `CI=true`, where it is installed ({@link installOpenClaw}) and a failure
 * fails them.
 */
export function cachedOpenClaw(): { install: OpenClawInstall } | { skipReason: string } {
  if (process.env.CI === 'true') return installOpenClaw();
  try {
    const stdout = execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'install-openclaw.mjs'), '--cached'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { install: JSON.parse(stdout.trim().split('\n').pop() ?? '') as OpenClawInstall };
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim() || String(error);
    return { skipReason: `real OpenClaw not in the cache (npm run test:openclaw installs it), skipping: ${detail.split('\n').pop()}` };
  }
}

/** A port on the loopback interface that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A running gateway with a throwaway HOME. */
export interface Gateway {
  port: number;
  /** Its HOME: `~/.openclaw/openclaw.json` and all its state are in here. */
  home: string;
  pid: number;
  logFile: string;
  /** Environment for `openclaw` and `runner` calls against this gateway ({@link openclawEnv}). */
  env: NodeJS.ProcessEnv;
  /** SIGTERM to its PID, wait for it to exit, SIGKILL if it does not within 15 s. Safe to call twice. */
  stop(): Promise<void>;
}

// What REAL-OPENCLAW.md says a quiet, offline gateway needs.
const GATEWAY_ENV = {
  OPENCLAW_DISABLE_BONJOUR: '1',
  OPENCLAW_SKIP_CHANNELS: '1',
  OPENCLAW_NO_RESPAWN: '1',
  OPENCLAW_NO_AUTO_UPDATE: '1',
  OPENCLAW_EXEC_SHELL_SNAPSHOT: '0',
};

/**
 * The environment of a gateway and of every process that talks to it: its HOME and TMPDIR, the
 * quiet-gateway variables, `OPENCLAW_BIN` (so the runner's `runOpenClaw` finds it although the
 * runner itself runs on Node 20), and PATH with the wrapper's folder and Node 24 first.
 */
export function openclawEnv(install: OpenClawInstall, home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${path.dirname(install.bin)}:${path.dirname(install.node)}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    HOME: home,
    TMPDIR: path.join(home, 'tmp'),
    LANG: 'C.UTF-8',
    OPENCLAW_BIN: install.bin,
    NO_COLOR: '1',
    ...GATEWAY_ENV,
    ...extra,
  };
}

/** What a test may change in a gateway's config; with none, the heartbeat is off and there is no model. */
export interface GatewayOptions {
  /**
   * A scripted model's base URL (`http://127.0.0.1:PORT/v1`, see scripted-model.ts): it becomes the
   * provider `scripted` and the agents' default model `scripted/scripted`.
   */
  modelBaseUrl?: string;
  /**
   * The heartbeat's cadence, e.g. `30m`: above `0m` the system job `heartbeat-main` is enabled
   * (delivery `target: "none"`, so nothing leaves the gateway). Default `0m`: disabled.
   */
  heartbeatEvery?: string;
  /** The agent's workspace (`agents.defaults.workspace`); default OpenClaw's own under the HOME. */
  workspace?: string;
  /**
   * Changes to the gateway process's own environment (not to `Gateway.env`, which the test's
   * `openclaw` and `runner` calls use); a key set to undefined is left out. E.g. a PATH without
   * `openclaw` and no `OPENCLAW_BIN`, as a service manager may start it: its jobs inherit that.
   */
  processEnv?: NodeJS.ProcessEnv;
}

/** The `openclaw.json` of a test gateway on `port`. */
function gatewayConfig(port: number, home: string, options: GatewayOptions = {}): Record<string, unknown> {
  const every = options.heartbeatEvery ?? '0m';
  const defaults: Record<string, unknown> = { heartbeat: every === '0m' ? { every } : { every, target: 'none' } };
  if (options.workspace !== undefined) defaults.workspace = options.workspace;
  const scripted = options.modelBaseUrl === undefined ? undefined : scriptedProviderConfig(options.modelBaseUrl);
  if (scripted) defaults.model = scripted.model;
  return {
    gateway: { mode: 'local', port, bind: 'loopback', auth: { mode: 'none' } },
    logging: { file: path.join(home, 'gw.log') },
    ...(scripted ? { models: scripted.models } : {}),
    agents: { defaults },
  };
}

/** Start `openclaw gateway run` in its own session and wait until `/health` answers (up to 3 minutes). */
export async function startGateway(install: OpenClawInstall, options: GatewayOptions = {}): Promise<Gateway> {
  const home = mkdtempSync(path.join(tmpdir(), 'openclaw-real-'));
  mkdirSync(path.join(home, 'tmp'));
  mkdirSync(path.join(home, '.openclaw'));
  const port = await freePort();
  const logFile = path.join(home, 'gateway.log');
  writeFileSync(path.join(home, '.openclaw', 'openclaw.json'), JSON.stringify(gatewayConfig(port, home, options)));
  const env = openclawEnv(install, home);
  const processEnv = Object.fromEntries(Object.entries({ ...env, ...options.processEnv }).filter(([, value]) => value !== undefined));
  const out = openSync(logFile, 'a');
  const child = spawn(install.node, [install.openclaw, 'gateway', 'run'], { env: processEnv, cwd: home, detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const gateway: Gateway = { port, home, pid: child.pid ?? -1, logFile, env, stop: () => stopGateway(child, exited) };
  try {
    await waitFor(async () => ((await healthy(port)) ? true : undefined), {
      what: `the gateway on port ${port} to answer /health`,
      timeoutMs: 180_000,
      giveUp: () => (child.exitCode !== null || child.signalCode !== null ? `it exited: ${tail(logFile)}` : undefined),
    });
  } catch (error) {
    await gateway.stop();
    throw error;
  }
  return gateway;
}

async function stopGateway(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  // By PID: OpenClaw exits with its children on SIGTERM; killing the group is not needed (nor relied on).
  process.kill(child.pid, 'SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
  if (!stopped) {
    process.kill(child.pid, 'SIGKILL');
    await exited;
  }
}

async function healthy(port: number): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(5_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Call the real `openclaw <args>` against a gateway (each call takes 2.5-4 s), through the
 * runner's own {@link runOpenClaw}; returns the parsed JSON of a `--json` call. `timeoutMs` (default
 * 2 minutes) is for a call that waits, such as `cron run --wait`.
 */
export async function openclawJson<T = unknown>(gateway: Gateway, args: readonly string[], timeoutMs = 120_000): Promise<T> {
  const outcome: OpenClawOutcome = await runOpenClaw(args, { timeoutMs, env: gateway.env });
  if (outcome.kind !== 'ok') throw new Error(`openclaw ${args.join(' ')}: ${JSON.stringify(outcome)}`);
  return JSON.parse(outcome.stdout) as T;
}

/** Run the built `runner` (on this Node, 20) with `env` (e.g. a gateway's `env`) and collect its output. */
export function runRunner(args: readonly string[], env: NodeJS.ProcessEnv, cwd = REPO_ROOT): Promise<CliResult> {
  assertFreshBuild();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/**
 * The id of the system job `heartbeat-main`, waiting for it: the gateway answers `/health` before
 * it has registered its system jobs, so a list taken at once may not hold it yet.
 */
export async function heartbeatJobId(gateway: Gateway): Promise<string> {
  let names: string[] = [];
  const listed = async () => {
    const { jobs } = await openclawJson<{ jobs: { id: string; name: string; enabled: boolean }[] }>(gateway, ['cron', 'list', '--all', '--json']);
    names = jobs.map((job) => `${job.name}${job.enabled ? '' : ' (disabled)'}`);
    return jobs.find((job) => job.name === 'heartbeat-main' && job.enabled);
  };
  try {
    return (await waitFor(listed, { what: 'the enabled system job heartbeat-main', timeoutMs: 120_000 })).id;
  } catch (error) {
    throw new Error(`${(error as Error).message}; jobs listed last: ${JSON.stringify(names)}`);
  }
}

/** Options of {@link waitFor}. */
export interface WaitOptions {
  /** Said in the error when the limit is reached. */
  what: string;
  /** Overall limit: generous, because it is not a speed assertion (default 5 minutes). */
  timeoutMs?: number;
  intervalMs?: number;
  /** Return a reason to stop waiting at once (e.g. the gateway died). */
  giveUp?: () => string | undefined;
}

/** Call `check` until it returns something other than undefined, and return that. */
export async function waitFor<T>(check: () => Promise<T | undefined>, options: WaitOptions): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    const reason = options.giveUp?.();
    if (reason) throw new Error(`gave up waiting for ${options.what}: ${reason}`);
    if (Date.now() > deadline) {
      throw new Error(`waited ${Math.round((options.timeoutMs ?? 300_000) / 1000)} s for ${options.what}${lastError ? `; last error: ${String(lastError)}` : ''}`);
    }
    await sleep(options.intervalMs ?? 1_000);
  }
}

/** A `#!/bin/sh` script in a fresh folder, for a command that outlives the test (a cron job's). */
export function scriptFile(name: string, body: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'openclaw-real-script-')), name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '(no log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
