import { RunnerError } from '../shared/errors.js';
import { assertOneLine, shellLine } from '../shared/shell-quote.js';

/**
 * The `runner` command lines that OpenClaw's agent is given (the heartbeat block of the monitor
 * scratch, the skill): absolute Node and CLI paths and `--home` (plus `--workspace`/`--config` when
 * the operator chose them), because the agent's shell has the gateway's PATH, folder and
 * environment, not the operator's.
 */

/** How to start the runner for one home. */
export interface RunnerLocation {
  /** Absolute path of the Node that runs the runner. */
  node: string;
  /** Absolute path of the runner's `dist/cli.js`. */
  cli: string;
  home: string;
  /** Passed on when the operator chose them explicitly (a flag or the environment), as `runner cron` does. */
  workspace?: string;
  config?: string;
}

/**
 * `[node, cli, …command, --home H, (--workspace W), (--config C)]`. Refuses a word with a line
 * break (it would end the command line) or a backtick (it would end the Markdown code span the
 * agent reads it from), naming where it came from.
 */
export function runnerCommandArgv(location: RunnerLocation, command: readonly string[]): string[] {
  const labelled: [string, string | undefined][] = [
    ['the Node.js path', location.node],
    ['the runner CLI path', location.cli],
    ['--home', location.home],
    ['--workspace', location.workspace],
    ['--config', location.config],
  ];
  for (const [what, word] of labelled) {
    if (word === undefined) continue;
    assertOneLine(word, what);
    if (word.includes('`')) throw new RunnerError('runner.invalidArgument', `${what}: ${JSON.stringify(word)} holds a backtick, which cannot be written in a command line for the agent`);
  }
  return [
    location.node, location.cli, ...command, '--home', location.home,
    ...(location.workspace ? ['--workspace', location.workspace] : []),
    ...(location.config ? ['--config', location.config] : []),
  ];
}

/** The heartbeat's argv: `runner heartbeat --ack NO_REPLY` for this home (NO_REPLY: OpenClaw 2026.9's "nothing to report"). */
export function heartbeatArgv(location: RunnerLocation): string[] {
  return runnerCommandArgv(location, ['heartbeat', '--ack', 'NO_REPLY']);
}

/** The heartbeat's command line, quoted for a shell (the agent's exec runs it in one). */
export function heartbeatCommandLine(location: RunnerLocation): string {
  return shellLine(heartbeatArgv(location));
}

/**
 * What the scratch block tells the agent on each heartbeat: run the exact command line (in
 * backticks) with exec and pass on what it prints, nothing more; a lone NO_REPLY means nothing
 * needs attention, which OpenClaw then keeps quiet.
 */
export function heartbeatScratchBody(location: RunnerLocation): string {
  return [
    'Taskrunner (the maintenance tasks of this workspace): on every heartbeat, run this exact command line with the exec tool,',
    'then reply with exactly what it printed and nothing else. It prints NO_REPLY alone when nothing needs attention.',
    `\`${heartbeatCommandLine(location)}\``,
  ].join('\n');
}
