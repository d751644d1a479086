import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, makeHome, startCli, writeFile, type CliResult } from '../helpers/cli.js';
import { startSilentServer, type SilentServer } from './silent-server.js';

const HELLO = `
import { Task } from 'taskrunner';
export default class Hello extends Task {
  name = 'hello';
  description = 'says hello';
  async run() { return { success: true, message: 'hello' }; }
}
`;

// Before the fix these took 30 to 60 s (the error path waited for the pending connection to give
// up); the clear error comes after the 3 s connect timeout. 20 s is far above that on a busy
// machine and far below the old hang.
const FINISH_WITHIN_MS = 20_000;

/** Run the CLI; a process still running after `FINISH_WITHIN_MS` is killed and reported as hung. */
async function runBounded(args: string[]): Promise<CliResult & { hung: boolean }> {
  const child: ChildProcess = startCli(args);
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    child.kill('SIGKILL');
  }, FINISH_WITHIN_MS);
  try {
    return { ...(await collect(child)), hung };
  } finally {
    clearTimeout(timer);
  }
}

// No real server is needed: a TCP server on 127.0.0.1 that accepts and never answers plays a
// PostgreSQL server that hangs (overloaded, a firewall swallowing replies, the wrong service).
describe('a PostgreSQL queue server that accepts connections and never answers', () => {
  let server: SilentServer;
  let home: string;

  beforeAll(async () => {
    server = await startSilentServer();
    const made = makeHome('taskrunner-silent-');
    home = made.home;
    writeFile(home, 'tasks/hello.mjs', HELLO);
    writeFile(home, 'runner.config.json', JSON.stringify({ workspace: made.workspace, queue: { url: `postgres://127.0.0.1:${server.port}/test` } }));
  });
  afterAll(async () => {
    await server.close();
  });

  it('fails alerts, enqueue, a task run and heartbeat with the clear error, without waiting for the connection to give up', async () => {
    const commands = [['alerts'], ['enqueue', 'hello'], ['hello'], ['heartbeat']];
    const results = await Promise.all(commands.map((args) => runBounded([...args, '--home', home])));
    for (const [i, result] of results.entries()) {
      const what = commands[i]!.join(' ');
      expect(result.hung, `${what} was still running after ${FINISH_WITHIN_MS / 1000} s`).toBe(false);
      expect(result.code, what).toBe(1);
      expect(result.stderr, what).toContain(`cannot reach the queue server at postgres://127.0.0.1:${server.port}/test`);
      expect(result.stdout, what).toBe('');
    }
    // Each command really connected (and was left hanging), rather than failing before that.
    expect(server.accepted).toBeGreaterThanOrEqual(commands.length);
  });
});
