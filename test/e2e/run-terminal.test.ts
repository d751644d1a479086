import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeHome, REPO_ROOT, runCli, runCliInTerminal, writeFile } from '../helpers/cli.js';
import { THROWER } from '../fixtures/tasks.js';

/**
 * The task log as a person at a terminal sees it: one readable line per entry, JSON lines only
 * when stderr is not a terminal or `--json` asks for them.
 */

// Waits of 100 ms, then 200 ms: three attempts in all, quickly.
function throwerHome() {
  const { home, workspace } = makeHome();
  writeFile(home, 'tasks/thrower.mjs', THROWER);
  writeFile(home, 'runner.config.json', JSON.stringify({ retry: { attempts: 3, minTimeoutMs: 100, factor: 2 } }));
  return { home, workspace, args: ['--home', home, '--workspace', workspace] };
}

const FINAL_LINE = /^✗ thrower failed: boom \([\d.]+s\)$/;

function lines(output: string): string[] {
  return output.split('\n').filter((line) => line !== '');
}

describe('a failing run on a terminal', () => {
  it('shows one readable line per entry and per failed attempt, then the outcome: no JSON, no stack', async () => {
    const h = throwerHome();
    const result = await runCliInTerminal(['thrower', ...h.args]);
    expect(result.code).toBe(1);
    const shown = lines(result.output);
    expect(shown.slice(0, -1)).toEqual([
      'thrower: trying (attempt_started=1)',
      'thrower: attempt 1 of 3 failed: boom (retrying in 100ms)',
      'thrower: trying (attempt_started=2)',
      'thrower: attempt 2 of 3 failed: boom (retrying in 200ms)',
      'thrower: trying (attempt_started=3)',
      'thrower: attempt 3 of 3 failed: boom',
    ]);
    expect(shown.at(-1)).toMatch(FINAL_LINE);
    expect(result.output).not.toContain('{');
    expect(result.output).not.toMatch(/^\s+at /m);
  });

  it('with --verbose puts the stack under each failed attempt', async () => {
    const h = throwerHome();
    const result = await runCliInTerminal(['thrower', '--verbose', ...h.args]);
    expect(result.code).toBe(1);
    const shown = lines(result.output);
    const attempts = shown.flatMap((line, i) => (line.startsWith('thrower: attempt ') ? [i] : []));
    expect(attempts).toHaveLength(3);
    for (const i of attempts) {
      expect(shown[i + 1]).toBe('  Error: boom');
      expect(shown[i + 2]).toMatch(new RegExp(`^ {6}at Thrower\\.run \\(.*${path.join(h.home, 'tasks', 'thrower.mjs').replaceAll('.', '\\.')}:\\d+:\\d+\\)$`));
    }
    expect(shown).toContain('thrower: debug: run finished (status=failed)');
    expect(shown.at(-1)).toMatch(FINAL_LINE);
    expect(result.output).not.toContain('{');
  });

  it('with -q shows only the outcome line', async () => {
    const h = throwerHome();
    const result = await runCliInTerminal(['thrower', '-q', ...h.args]);
    expect(result.code).toBe(1);
    expect(lines(result.output)).toEqual([expect.stringMatching(FINAL_LINE)]);
  });

  it('with --json writes the JSON lines it writes to a pipe', async () => {
    const h = throwerHome();
    const result = await runCliInTerminal(['thrower', '--json', ...h.args]);
    expect(result.code).toBe(1);
    const logLines = lines(result.output).filter((line) => line.startsWith('{"level"'));
    const entries = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.filter((entry) => entry.level === 40).map((entry) => entry.msg)).toEqual(['attempt 1 failed: boom', 'attempt 2 failed: boom', 'attempt 3 failed: boom']);
    expect(result.output).not.toContain('thrower: attempt');
  });

  it('promises no retry that the retry time limit (retry.maxRetryTimeMs) will not allow', async () => {
    const h = throwerHome();
    writeFile(h.home, 'runner.config.json', JSON.stringify({ retry: { attempts: 3, minTimeoutMs: 100, maxRetryTimeMs: 0 } }));
    const result = await runCliInTerminal(['thrower', ...h.args]);
    expect(result.code).toBe(1);
    const shown = lines(result.output);
    expect(shown.slice(0, -1)).toEqual(['thrower: trying (attempt_started=1)', 'thrower: attempt 1 of 3 failed: boom']);
    expect(shown.at(-1)).toMatch(FINAL_LINE);
  });

  it('colours the attempt lines unless NO_COLOR or --no-color says no', async () => {
    const h = throwerHome();
    const coloured = await runCliInTerminal(['thrower', '--retries', '0', ...h.args], { env: { NO_COLOR: undefined } });
    expect(coloured.output).toContain('thrower: \u001b[33mattempt 1 failed: boom\u001b[0m\n');
    const byFlag = await runCliInTerminal(['thrower', '--retries', '0', '--no-color', ...h.args], { env: { NO_COLOR: undefined } });
    const byEnv = await runCliInTerminal(['thrower', '--retries', '0', ...h.args], { env: { NO_COLOR: '1' } });
    for (const plain of [byFlag, byEnv]) {
      expect(plain.output).toContain('thrower: attempt 1 failed: boom\n');
      expect(plain.output).not.toContain('\u001b[');
    }
  });
});

describe('the same failing run with stderr piped', () => {
  it('writes pino JSON lines, the attempt lines with their count and wait', async () => {
    const h = throwerHome();
    const result = await runCli(['thrower', ...h.args]);
    expect(result.code).toBe(1);
    const [last, ...logLines] = lines(result.stderr).reverse();
    expect(last).toMatch(FINAL_LINE);
    const attempts = logLines
      .reverse()
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((entry) => entry.level === 40);
    expect(attempts).toEqual([
      expect.objectContaining({ task: 'thrower', msg: 'attempt 1 failed: boom', attempt: 1, retries_left: 2, attempts: 3, retry_in_ms: 100, err: expect.objectContaining({ message: 'boom' }) }),
      expect.objectContaining({ msg: 'attempt 2 failed: boom', attempt: 2, retries_left: 1, attempts: 3, retry_in_ms: 200 }),
      expect.objectContaining({ msg: 'attempt 3 failed: boom', attempt: 3, retries_left: 0, attempts: 3 }),
    ]);
    expect(attempts[2]).not.toHaveProperty('retry_in_ms');
  });
});

describe('a run of one attempt with stderr piped', () => {
  it('writes its attempt line with the fields it always had: a queue job (one attempt each) logs as before', async () => {
    const h = throwerHome();
    const result = await runCli(['thrower', '--retries', '0', ...h.args]);
    expect(result.code).toBe(1);
    const attempt = lines(result.stderr)
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry.level === 40);
    expect(Object.keys(attempt ?? {})).toEqual(['level', 'time', 'task', 'run_id', 'attempt', 'retries_left', 'err', 'msg']);
    expect(attempt).toMatchObject({ attempt: 1, retries_left: 0, msg: 'attempt 1 failed: boom' });
  });
});

describe('`runner hello` on a terminal', () => {
  it('shows its info line readably, then the outcome', async () => {
    // The repository's example task, in a home of its own (as first-run.test.ts does).
    const clone = mkdtempSync(path.join(tmpdir(), 'taskrunner-hello-tty-'));
    mkdirSync(path.join(clone, 'tasks'));
    copyFileSync(path.join(REPO_ROOT, 'tasks', 'hello.ts'), path.join(clone, 'tasks', 'hello.ts'));
    symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(clone, 'node_modules'));
    const result = await runCliInTerminal(['hello'], { cwd: clone });
    expect(result.code).toBe(0);
    expect(lines(result.output)).toEqual(['hello: saying hello (who=world)', expect.stringMatching(/^✓ hello: hello, world \([\d.]+s\)$/)]);
    const quiet = await runCliInTerminal(['hello', 'Ada', '-q'], { cwd: clone });
    expect([quiet.code, quiet.output]).toEqual([0, '']);
  });
});
