import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Settings } from '../config/config.js';
import { RunnerError } from '../shared/errors.js';
import type { LiveEvent } from './live.js';

/** Runs started from the page that may be going at once. */
export const MAX_PAGE_RUNS = 8;
/** The end of a run's output kept for the page (bytes). */
const OUTPUT_TAIL = 4096;

/**
 * "Run now": the page's runs are the real CLI (`runner run <task> [--dry-run]`) as a child process of
 * the server, with the server's home, workspace and config, so the lock, the record, the alerts and
 * the exit code are exactly those of a run from cron or a terminal. The record reaches the page
 * through the live stream like any other; `onEvent` also says when a run started and ended.
 */
export class RunLauncher {
  private readonly running = new Map<string, ChildProcess>();

  private readonly settings: Settings;
  private readonly onEvent: (event: LiveEvent) => void;
  /** The CLI to start: the one this server runs as. */
  private readonly cli: string;
  constructor(settings: Settings, onEvent: (event: LiveEvent) => void, cli: string = process.argv[1]!) {
    this.settings = settings;
    this.onEvent = onEvent;
    this.cli = cli;
  }

  start(task: string, dryRun: boolean): { id: string; task: string; dry_run: boolean; pid: number | undefined } {
    if (this.running.size >= MAX_PAGE_RUNS) {
      throw new RunnerError('dashboard.badRequest', `${MAX_PAGE_RUNS} runs started from the dashboard are still going; wait for one to end`);
    }
    const id = randomBytes(6).toString('hex');
    const child = spawn(process.execPath, runNowArgv(this.cli, this.settings, task, dryRun), {
      cwd: this.settings.home,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.running.set(id, child);
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const finish = (code: number | null) => {
      if (!this.running.delete(id)) return;
      this.onEvent({ type: 'run', id, task, dry_run: dryRun, state: 'finished', code, output });
    };
    child.on('error', (error) => {
      output += `\n${error.message}`;
      finish(null);
    });
    child.on('close', (code) => finish(code));
    const started = { id, task, dry_run: dryRun, pid: child.pid };
    this.onEvent({ type: 'run', ...started, state: 'started' });
    return started;
  }

  /** Runs still going. */
  get size(): number {
    return this.running.size;
  }
}

/**
 * The Node.js arguments of a run started from the page: `<cli> run <task> [--dry-run] --home …`.
 * `run <task>`, never a bare `<task>`: a user task may be named like a command (`heartbeat`,
 * `status`, `dashboard`), and the bare name would start that command instead of the task.
 */
export function runNowArgv(cli: string, settings: Settings, task: string, dryRun: boolean): string[] {
  const argv = [cli, 'run', task];
  if (dryRun) argv.push('--dry-run');
  argv.push('--home', settings.home, '--workspace', settings.workspace);
  if (settings.configFile !== undefined) argv.push('--config', settings.configFile);
  return argv;
}
