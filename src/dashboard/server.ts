import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Settings } from '../config/config.js';
import { RunnerError } from '../shared/errors.js';
import { handleApi, isChange, sendJson, type ApiContext } from './api.js';
import type { DashboardDataSource } from './data-source.js';
import { LiveHub } from './live.js';
import { RunLauncher } from './run-now.js';
import { RequestGuard } from './security.js';

/** The files of the page: name → content type. Nothing else is served. */
const ASSETS: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
  'uPlot.iife.min.js': 'text/javascript; charset=utf-8',
  'uPlot.min.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

/** Paths the browser asks for by itself, answered with a file of the page. */
const WELL_KNOWN: Record<string, string> = { '/': 'index.html', '/favicon.ico': 'favicon.svg' };

/** The page may load its own files only; it embeds nothing from elsewhere and is framed by no one. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

export interface DashboardOptions {
  settings: Settings;
  source: DashboardDataSource;
  host: string;
  port: number;
  /** Required on every request when set. */
  token: string | undefined;
  loopback: boolean;
  version: string;
  /** The CLI that "run now" starts (default: the one running). */
  cli?: string;
  /** Where the page's files are (default: beside the bundle, `dist/dashboard/`). */
  assetsDir?: string;
}

export interface RunningDashboard {
  /** `http://host:port/` as bound (the real port when 0 was asked for). */
  url: string;
  port: number;
  server: Server;
  /** Stop listening, end the live streams and open connections. */
  close(): Promise<void>;
}

/** The folder of the page's files: `dist/dashboard/` beside the bundle, or the sources' `assets/`. */
export function assetsDirectory(): string {
  const candidates = [fileURLToPath(new URL('./dashboard/', import.meta.url)), fileURLToPath(new URL('./assets/', import.meta.url))];
  return candidates.find((dir) => existsSync(path.join(dir, 'index.html'))) ?? candidates[0]!;
}

/** Start the dashboard's HTTP server. */
export async function startDashboard(options: DashboardOptions): Promise<RunningDashboard> {
  const assetsDir = options.assetsDir ?? assetsDirectory();
  const live = new LiveHub(options.source);
  const runs = new RunLauncher(options.settings, (event) => live.publish(event), options.cli);
  const context: ApiContext = { source: options.source, live, runs, timeZone: options.settings.config.timezone, version: options.version };
  const { publicOrigin, trustProxy } = options.settings.config.dashboard ?? {};
  const guard = new RequestGuard({ token: options.token, loopback: options.loopback, publicOrigin, trustProxy });
  const cache = new Map<string, Buffer>();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://dashboard.invalid');
    } catch {
      sendJson(response, 400, { error: 'bad request URL', code: 'dashboard.badRequest' });
      return;
    }
    const verdict = guard.check(request, url, isChange(url.pathname, request.method));
    if (!verdict.ok) {
      sendJson(response, verdict.status, { error: verdict.message, code: verdict.code });
      return;
    }
    if (verdict.redirectWithCookie) {
      url.searchParams.delete('token');
      response.writeHead(303, { 'set-cookie': verdict.redirectWithCookie, location: `${url.pathname}${url.search}` });
      response.end();
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      await handleApi(context, request, response, url);
      return;
    }
    const name = WELL_KNOWN[url.pathname] ?? url.pathname.replace(/^\/assets\//, '');
    const type = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (type === undefined || (request.method !== 'GET' && request.method !== 'HEAD')) {
      sendJson(response, 404, { error: `no such page ${url.pathname}`, code: 'dashboard.notFound' });
      return;
    }
    let body = cache.get(name);
    if (!body) {
      body = await readFile(path.join(assetsDir, name));
      cache.set(name, body);
    }
    response.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': name === 'index.html' ? 'no-store' : 'no-cache' });
    response.end(request.method === 'HEAD' ? undefined : body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      process.stderr.write(`dashboard: ${request.method} ${request.url}: ${(error as Error)?.stack ?? String(error)}\n`);
      if (!response.headersSent) sendJson(response, 500, { error: 'internal error', code: 'dashboard.internal' });
      else response.end();
    });
  });
  // Watching before listening: a page that connects sees every change from its first request on.
  await live.ready;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      live.close();
      reject(new RunnerError('dashboard.listenFailed', `cannot listen on ${options.host}:${options.port}: ${error.code ?? error.message}`, { cause: error }));
    });
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    server,
    close: async () => {
      live.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
