import type { Command } from 'commander';
import { RunnerError } from '../shared/errors.js';
import { globalOptionsOf, settingsOf } from './global-options.js';
import { addGlobalOptions } from '../core/task-args.js';
import { packageVersion } from './version.js';

interface DashboardFlags {
  port: string;
  host: string;
  open?: boolean;
}

/** The port `runner dashboard` listens on unless told otherwise. */
export const DEFAULT_DASHBOARD_PORT = 8321;

/** Register `runner dashboard [--port N] [--host H] [--open]`. */
export function registerDashboardCommand(program: Command): void {
  addGlobalOptions(program.command('dashboard'))
    .description('serve a web dashboard of tasks, runs, alerts, the batch queue and health (until Ctrl-C)')
    .option('--port <n>', 'port to listen on (0: any free port)', String(DEFAULT_DASHBOARD_PORT))
    .option('--host <address>', 'address to listen on; beyond loopback every request needs the token', '127.0.0.1')
    .option('--open', 'open the dashboard in a browser')
    .action(async (flags: DashboardFlags, command: Command) => {
      const settings = settingsOf(globalOptionsOf(command));
      const port = portOf(flags.port);
      // Loaded here: no other command pays for the server.
      const [{ createDataSource }, { startDashboard }, { isLoopbackHost, newToken }] = await Promise.all([
        import('../dashboard/open-data-source.js'),
        import('../dashboard/server.js'),
        import('../dashboard/security.js'),
      ]);
      const loopback = isLoopbackHost(flags.host);
      const configured = settings.config.dashboard?.token;
      const token = configured ?? (loopback ? undefined : newToken());
      const source = await createDataSource(settings);
      const dashboard = await startDashboard({ settings, source, host: flags.host, port, token, loopback, version: packageVersion() });
      const url = token === undefined ? dashboard.url : `${dashboard.url}?token=${encodeURIComponent(token)}`;
      // One write: a reader of the first line has the rest too.
      const lines = [`runner dashboard: ${url}`, `  home ${settings.home}, workspace ${settings.workspace}; Ctrl-C stops it`];
      const publicOrigin = settings.config.dashboard?.publicOrigin;
      if (publicOrigin !== undefined) {
        lines.push(`  through the reverse proxy: ${publicOrigin}/${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`);
      }
      if (token !== undefined) {
        lines.push(`  every request needs the token (${configured ? 'dashboard.token in the config' : 'made for this start'}): open the URL above, or send Authorization: Bearer <token>`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
      if (flags.open) openBrowser(url);
      // Discover the tasks and read the log's end now, while the operator opens the page.
      source.tasks().catch(() => undefined);
      await untilSignal();
      await dashboard.close();
      process.exitCode = 0;
    });
}

function portOf(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535) {
    throw new RunnerError('runner.invalidArgument', `--port: expected a port number from 0 to 65535, got ${JSON.stringify(text)}`);
  }
  return port;
}

/** Resolves at the first SIGINT or SIGTERM (a second one ends the process at once). */
function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** `xdg-open` / `open` when there is one; the URL is printed either way, so a failure is no error. */
function openBrowser(url: string): void {
  void import('node:child_process').then(({ spawn }) => {
    const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
    try {
      const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
      child.on('error', () => process.stdout.write(`  (could not start ${opener}: open the URL yourself)\n`));
      child.unref();
    } catch {
      process.stdout.write(`  (could not start ${opener}: open the URL yourself)\n`);
    }
  });
}
