import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertFreshBuild } from './fresh-build.js';

/** The built CLI; `npm test` builds before running the suite. */
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The project's own fixtures; the public corpus beside a checkout is in test/fixtures/memory.ts. */
export const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Extra environment; RUNNER_HOME and the OPENCLAW_* variables are cleared unless given here. */
  env?: Record<string, string | undefined>;
  cwd?: string;
  input?: string;
  /** The `runner` bin to start (default: this checkout's, {@link CLI}). */
  cli?: string;
}

/** A fresh runner home with a workspace folder inside it, in a private temporary directory. */
export function makeHome(prefix = 'taskrunner-test-'): { home: string; workspace: string } {
  const home = mkdtempSync(path.join(tmpdir(), prefix));
  const workspace = path.join(home, 'workspace');
  mkdirSync(path.join(home, 'tasks'), { recursive: true });
  mkdirSync(path.join(workspace, 'memory'), { recursive: true });
  return { home, workspace };
}

/** Write a file under `dir`, creating folders, with mode 0644 (task files must not be group-writable). */
export function writeFile(dir: string, relative: string, content: string): string {
  const file = path.join(dir, relative);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content, { mode: 0o644 });
  return file;
}

// Output is gathered from the moment a CLI starts, so a child that ends before the test calls
// `collect` (a fast run, or one killed mid-way) is still collected in full.
const outcomes = new WeakMap<ChildProcess, Promise<CliResult>>();

/**
 * Variables that decide where the runner looks (home, workspace, OpenClaw's config and state, the
 * `openclaw` executable): cleared so the developer's own setup cannot leak into a test.
 */
const CLEARED_ENV = {
  RUNNER_HOME: undefined,
  OPENCLAW_WORKSPACE: undefined,
  OPENCLAW_WORKSPACE_DIR: undefined,
  OPENCLAW_CONFIG_PATH: undefined,
  OPENCLAW_STATE_DIR: undefined,
  OPENCLAW_PROFILE: undefined,
  OPENCLAW_BIN: undefined,
  OPENCLAW_GATEWAY_PORT: undefined,
};

/** Start the real CLI as a child process (throws when dist/ is missing or older than src/). */
export function startCli(args: readonly string[], options: CliOptions = {}): ChildProcess {
  assertFreshBuild();
  const child = spawn(process.execPath, [options.cli ?? CLI, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...CLEARED_ENV, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  outcomes.set(child, gather(child));
  return child;
}

/** Run the real CLI to completion and collect its output. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliResult> {
  return collect(startCli(args, options), options.input);
}

/** Send `input` (or nothing) to a started process, wait for it to end, and return its output. */
export function collect(child: ChildProcess, input?: string): Promise<CliResult> {
  const outcome = outcomes.get(child) ?? gather(child);
  // The child may exit before reading its input; that is not the test's concern.
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(input ?? '');
  return outcome;
}

function gather(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Resolve once `child` has printed `pattern` on stderr or stdout. */
export function waitForOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; saw:\n${seen}`)), timeoutMs);
    const onData = (chunk: Buffer | string) => {
      seen += chunk.toString();
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('close', () => {
      clearTimeout(timer);
      if (!pattern.test(seen)) reject(new Error(`process ended before ${pattern}; saw:\n${seen}`));
    });
  });
}

/** Parse `logs/tasks.jsonl` of a home into records. */
export function readRecords(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Run the CLI with its standard output going straight to `file` (e.g. `/dev/full`, to see how a
 * command that must print before it removes anything copes with a full disk); stderr is collected.
 */
export async function runCliWithStdoutTo(file: string, args: readonly string[], options: Pick<CliOptions, 'env'> = {}): Promise<{ code: number | null; stderr: string }> {
  const out = openSync(file, 'w');
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...CLEARED_ENV, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', out, 'pipe'],
  });
  closeSync(out);
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  return { code, stderr };
}

/** What a person at a terminal saw: stdout and stderr together, in order. */
export interface TerminalResult {
  code: number | null;
  /** Everything the CLI wrote, with the terminal's `\r\n` line ends read back as `\n`. */
  output: string;
}

/**
 * Run the CLI on a real pseudo-terminal, made by util-linux `script`: its stdin, stdout and
 * stderr are all the terminal, as when a person types the command. `script -e` exits with the
 * CLI's exit code.
 */
export async function runCliInTerminal(args: readonly string[], options: Pick<CliOptions, 'env' | 'cwd'> = {}): Promise<TerminalResult> {
  const command = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...CLEARED_ENV, NO_COLOR: '1', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const result = await collect(child);
  // The CLI's own stderr is the terminal: anything here is script's.
  if (result.stderr !== '') throw new Error(`script: ${result.stderr}`);
  return { code: result.code, output: result.stdout.replaceAll('\r\n', '\n') };
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}
