import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeHome, runCli, startCli, type CliOptions, type CliResult } from '../helpers/cli.js';
import { withServer, type Server } from './helpers.js';

/** Write the shared queue document directly (what anyone who can write to the server can do). */
export function writeSharedQueue(backend: Server, prefix: string, entries: unknown[]): Promise<void> {
  const doc = `${JSON.stringify(entries, null, 2)}\n`;
  return withServer(backend.kind, prefix, async ({ redis, pg }) => {
    if (redis) await redis.set(`${prefix}:runner-store:batch-queue`, doc);
    else await pg!.query(`UPDATE "${prefix}".runner_batch_queue SET entries = $1::json WHERE id = 1`, [doc]);
  });
}

/**
 * After a `kill -9` the Redis executor lease stays until it expires (30 s): remove it, exactly what
 * the passing of time does. PostgreSQL's advisory lock ended with the dead process's connection.
 */
export async function expireExecutorLease(backend: Server, prefix: string): Promise<void> {
  if (backend.kind !== 'redis') return;
  await withServer(backend.kind, prefix, async ({ redis }) => {
    await redis!.del(`${prefix}:runner-store:batch-executor`);
  });
}

export interface SharedHome {
  home: string;
  workspace: string;
  cli(args: readonly string[], options?: CliOptions): Promise<CliResult>;
  start(args: readonly string[]): ReturnType<typeof startCli>;
  diary(): string;
}

/** A runner home (a host) whose config points at the shared queue, or at nothing when `queue` is undefined. */
export function sharedHome(queue: { url: string; prefix: string } | undefined): SharedHome {
  const { home, workspace } = makeHome('taskrunner-shared-batch-');
  if (queue) writeFileSync(path.join(home, 'runner.config.json'), JSON.stringify({ queue }), { mode: 0o644 });
  const where = ['--home', home, '--workspace', workspace];
  const diaryFile = path.join(workspace, 'diary.md');
  return {
    home,
    workspace,
    cli: (args, options) => runCli([...args, ...where], options),
    start: (args) => startCli([...args, ...where]),
    diary: () => (existsSync(diaryFile) ? readFileSync(diaryFile, 'utf8') : ''),
  };
}

/** A runner task file that writes its pid to `<workspace>/<name>.pid`, then waits until `<workspace>/go` exists. */
export function waitingTask(name: string): string {
  return [
    "import { existsSync, writeFileSync } from 'node:fs';",
    "import path from 'node:path';",
    `export default class Waiting {`,
    "  static [Symbol.for('taskrunner.task')] = true;",
    `  name = ${JSON.stringify(name)};`,
    "  description = 'Waits for the file go';",
    '  async run(ctx) {',
    `    writeFileSync(path.join(ctx.paths.workspace, ${JSON.stringify(`${name}.pid`)}), String(process.pid));`,
    "    while (!existsSync(path.join(ctx.paths.workspace, 'go'))) await new Promise((resolve) => setTimeout(resolve, 20));",
    "    return { success: true, message: 'waited' };",
    '  }',
    '}',
    '',
  ].join('\n');
}
