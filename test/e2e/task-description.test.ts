import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startDashboardProcess } from '../dashboard/helpers.js';
import { makeHome, readRecords, runCli, writeFile } from '../helpers/cli.js';

/** A task class that declares no description (JavaScript: nothing makes the author write one). */
const NO_DESCRIPTION = `import { Task } from 'taskrunner';
export default class NoDescription extends Task {
  name = 'nodesc';
  async run() {
    return { success: true, message: 'ran without a description' };
  }
}
`;

const taskWith = (fields: string) => `import { Task } from 'taskrunner';
export default class Odd extends Task {
  ${fields}
  async run() {
    return { success: true };
  }
}
`;

function homeWith(tasks: Record<string, string>) {
  const { home, workspace } = makeHome('taskrunner-nodesc-');
  for (const [name, source] of Object.entries(tasks)) writeFile(home, `tasks/${name}.mjs`, source);
  return { home, workspace, args: ['--home', home, '--workspace', workspace] };
}

interface ListJson {
  tasks: { name: string; description: string }[];
  broken: { file: string; reason: string }[];
}

describe('a task without a description has an empty one, everywhere', () => {
  const h = homeWith({ nodesc: NO_DESCRIPTION });

  it('runs, by name and with run', async () => {
    for (const command of [['nodesc'], ['run', 'nodesc']]) {
      const result = await runCli([...command, ...h.args]);
      expect(result.stderr, command.join(' ')).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('✓ nodesc: ran without a description');
    }
  });

  it('has help, as text and as JSON', async () => {
    const text = await runCli(['help', 'nodesc', ...h.args]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Usage: runner nodesc \[options\]/);
    const json = await runCli(['help', 'nodesc', '--json', ...h.args]);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'nodesc', description: '' });
  });

  it('gets a cron line', async () => {
    const result = await runCli(['cron', 'nodesc', '--cron', '@hourly', '--json', ...h.args]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect((JSON.parse(result.stdout) as { command: string }).command).toContain('run nodesc');
  });

  it('is listed with an empty description and passes test-all', async () => {
    const list = JSON.parse((await runCli(['list', '--json', ...h.args])).stdout) as ListJson;
    expect(list.tasks.find((task) => task.name === 'nodesc')).toMatchObject({ description: '' });
    const testAll = await runCli(['test-all', ...h.args]);
    expect(testAll.stdout).toContain('✓ nodesc');
  });

  it("runs from the dashboard's Run now", async () => {
    const dashboard = await startDashboardProcess(h.args);
    try {
      const events = await fetch(`${dashboard.url}api/events`);
      const reader = events.body!.getReader();
      const started = await fetch(`${dashboard.url}api/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: new URL(dashboard.url).origin },
        body: JSON.stringify({ task: 'nodesc' }),
      });
      expect(started.status).toBe(200);
      const { id } = (await started.json()) as { id: string };
      const finished = await nextFinishedRun(reader, id);
      expect(finished.output).not.toMatch(/error/);
      expect(finished.code).toBe(0);
      await reader.cancel();
    } finally {
      await dashboard.stop();
    }
    const records = readRecords(readFileSync(path.join(h.home, 'logs', 'tasks.jsonl'), 'utf8'));
    expect(records.at(-1)).toMatchObject({ task: 'nodesc', success: true });
  }, 60_000);
});

/** Read the live stream until the `run` event that says run `id` finished. */
async function nextFinishedRun(reader: ReadableStreamDefaultReader<Uint8Array>, id: string): Promise<{ code: number | null; output: string }> {
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) throw new Error(`the live stream ended before run ${id} finished:\n${text}`);
    text += decoder.decode(chunk.value, { stream: true });
    for (const block of text.split('\n\n')) {
      const data = /^event: run\ndata: (.*)$/m.exec(block)?.[1];
      const event = data === undefined ? undefined : (JSON.parse(data) as { id: string; state: string; code: number | null; output: string });
      if (event?.id === id && event.state === 'finished') return event;
    }
  }
}

describe('a task whose name or description is not text is a broken file, named', () => {
  it.each([
    ['a number as description', "name = 'odd'; description = 42;", 'task "odd" of FILE: description must be a string, got a number'],
    ['null as description', "name = 'odd'; description = null;", 'task "odd" of FILE: description must be a string, got null'],
    ['a number as name', "name = 7; description = 'x';", 'task Odd of FILE: name must be a string, got a number'],
    ['a bigint as name', "name = 7n; description = 'x';", 'task Odd of FILE: name must be a string, got a bigint'],
    ['a name too long', `name = '${'a'.repeat(65)}'; description = 'x';`, 'a task name is at most 64 characters, got 65'],
  ])('%s', async (_what, fields, reason) => {
    const h = homeWith({ odd: taskWith(fields) });
    const file = path.join(h.home, 'tasks', 'odd.mjs');
    const expected = reason.replace('FILE', file);

    const list = JSON.parse((await runCli(['list', '--json', ...h.args])).stdout) as ListJson;
    expect(list.broken).toEqual([{ file, reason: expect.stringContaining(expected) }]);
    const testAll = await runCli(['test-all', ...h.args]);
    expect(testAll.code).toBe(1);
    expect(testAll.stdout).toContain(expected);
    // `runner odd` loads tasks/odd.mjs itself, and says what is wrong with it.
    for (const command of [['odd'], ['help', 'odd']]) {
      const result = await runCli([...command, ...h.args]);
      expect(result.code, command.join(' ')).toBe(1);
      expect(result.stderr).toContain(expected);
    }
  });
});
