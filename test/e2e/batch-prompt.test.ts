import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, collect, makeHome, runCli } from '../helpers/cli.js';

// `script` (util-linux) gives the CLI a real terminal, which is what makes `batch add` prompt.
function inTerminal(command: string, input: string) {
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  return collect(child, input);
}

describe('runner batch add on a terminal', () => {
  it('prompts for the missing fields, keeping answers typed ahead of their question', async () => {
    const { home, workspace } = makeHome();
    const command = `${process.execPath} ${CLI} batch add --home ${home} --workspace ${workspace}`;
    const result = await inTerminal(command, 'Write the docs\nDocs written\n\nShip it\n');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Task: ');
    expect(result.stdout).toContain('Next step (optional): ');
    expect(result.stdout).toContain('Task added to batch queue (1 pending)');
    const [entry] = JSON.parse(readFileSync(path.join(workspace, 'batch-tasks.json'), 'utf8')) as Record<string, string>[];
    expect(entry).toMatchObject({ task: 'Write the docs', result: 'Docs written', next_step: 'Ship it', status: 'pending' });
  });

  it('never prompts when stdin is not a terminal', async () => {
    const { home, workspace } = makeHome();
    const result = await runCli(['batch', 'add', '--home', home, '--workspace', workspace], { input: 'Write the docs\n' });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('Task: ');
    expect(result.stderr).toMatch(/task text is required/);
  });
});
