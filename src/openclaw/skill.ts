import path from 'node:path';
import { shellLine } from '../shared/shell-quote.js';
import { runnerCommandArgv, type RunnerLocation } from './heartbeat-command.js';

/**
 * The workspace skill `runner openclaw install` writes, `<workspace>/skills/taskrunner/SKILL.md`:
 * what OpenClaw's agent reads (its name and description in every prompt, the body when it uses it)
 * to look after the runner: status and failures, alerts, running a task, the batch queue. Every
 * command line is absolute (Node, CLI, `--home`), so it works from the agent's shell whatever its
 * PATH and folder.
 *
 * No `metadata.openclaw.requires`: the commands need no binary on PATH (the Node is named by its
 * path), and `requires.bins: ["node"]` would hide the skill from a gateway whose PATH has no node.
 * `os` says where the runner runs.
 */

/** The skill's name: its folder and its front matter's `name`. */
export const SKILL_NAME = 'taskrunner';

/** One line, under OpenClaw's 160 characters. */
export const SKILL_DESCRIPTION =
  "Look after this workspace's maintenance tasks (taskrunner): status and failures, alerts, running a task, queueing a work block.";

/** `<workspace>/skills/taskrunner/SKILL.md`. */
export function skillPath(workspace: string): string {
  return path.join(workspace, 'skills', SKILL_NAME, 'SKILL.md');
}

/** The SKILL.md text for the runner at `location`. */
export function renderSkill(location: RunnerLocation): string {
  const run = (...command: string[]) => `\`${shellLine(runnerCommandArgv(location, command))}\``;
  return `---
name: ${SKILL_NAME}
description: ${SKILL_DESCRIPTION}
metadata: { "openclaw": { "os": ["linux", "darwin"] } }
---

<!-- Written by runner openclaw install, which replaces it on the next install; runner openclaw remove takes it out. -->

# taskrunner

The maintenance tasks of this workspace (health checks, memory capture and consolidation, the
work-block queue, and the operator's own tasks) run under taskrunner, the \`runner\` CLI. OpenClaw's
cron starts each scheduled task (its jobs are named \`runner-<task>\`), and the heartbeat passes on
its alerts. Run these exact command lines with the exec tool: they need no PATH or folder of their
own. Add \`--json\` for machine-readable output.

## How things stand

- Every task's last run, result, success rate, schedule, next run and whether it is overdue:
  ${run('status')}
- The failed runs, newest last, with their errors: ${run('logs', '--failed')}
- One task's recent runs: ${run('logs', '--task', '<task>')}
- The tasks there are, and task files that do not load: ${run('list')}
- Where the runner keeps things, OpenClaw and its gateway: ${run('doctor')}

## Alerts

- The pending alerts, each with its id: ${run('alerts')}
- Once one is dealt with, acknowledge it (removes it): ${run('alerts', 'ack', '<id>')} (several ids at once are fine)

The heartbeat drains pending alerts into its report by itself; do not run \`runner heartbeat\` outside
a heartbeat, or its alerts are gone from the next one.

## Running a task

- What a task takes (arguments, options, defaults): ${run('help', '<task>')}
- A dry run first (shows what would change; writes only its run record): ${run('run', '<task>', '--dry-run')}
- Then the real run: ${run('run', '<task>')}

A run prints \`✓ <task>: <message>\` or \`✗ <task> failed: <error>\`. Exit 2 ("locked") means the task
is already running (a scheduled run, say): wait, then look at the status.

## Queueing a work block

- Add a planned block to the batch queue:
  ${run('batch', 'add', '<what to do>', '<expected result>', '<insight>', '<next step>')}
  (options: \`--priority high|medium|low\`, \`--command "<shell line>"\` or \`--run <task>\` to give it
  something to execute, \`--depends-on <id>\`)
- The queue, in execution order: ${run('batch', 'list')}
- Execute up to N ready blocks (each is logged to the diary as a work block): ${run('batch', '<N>')}
`;
}
