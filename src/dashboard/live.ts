import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DashboardDataSource, SourceEvent } from './data-source.js';

/** A comment line sent this often keeps proxies and the browser from dropping an idle stream (ms). */
const KEEPALIVE_MS = 15_000;
/** Bytes waiting for a page beyond which its stream is dropped. */
const MAX_BUFFERED = 1 << 20;

/** An event the page gets: a change of the data, or news of a run started from the page. */
export type LiveEvent = SourceEvent | { type: 'run'; id: string; task: string; dry_run: boolean; state: 'started' | 'finished'; code?: number | null; output?: string };

/**
 * The live stream (server-sent events, `GET /api/events`): one watch of the data source for the
 * whole server, fanned out to every open page. Each event is one `event: <type>` with JSON data.
 */
export class LiveHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly controller = new AbortController();
  private readonly keepalive: NodeJS.Timeout;
  /** Resolves once the source is watched. */
  readonly ready: Promise<void>;

  constructor(source: DashboardDataSource) {
    this.ready = source.watch((event) => this.publish(event), this.controller.signal).catch((error: unknown) => {
      process.stderr.write(`dashboard: live updates stopped: ${(error as Error)?.message ?? String(error)}\n`);
    });
    this.keepalive = setInterval(() => {
      for (const client of this.clients) client.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  /** Open a stream for this request. */
  attach(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write('retry: 1000\n\n');
    response.write(`event: hello\ndata: {}\n\n`);
    this.clients.add(response);
    const drop = () => this.clients.delete(response);
    request.on('close', drop);
    response.on('error', drop);
  }

  publish(event: LiveEvent): void {
    const text = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    for (const client of this.clients) {
      // A page that does not read its stream (asleep, a stalled network) is not buffered for
      // without bound: it is dropped, and reads everything again when it reconnects.
      if (client.writableLength > MAX_BUFFERED) {
        this.clients.delete(client);
        client.destroy();
        continue;
      }
      client.write(text);
    }
  }

  get size(): number {
    return this.clients.size;
  }

  /** Stop watching and end every stream. */
  close(): void {
    this.controller.abort();
    clearInterval(this.keepalive);
    for (const client of this.clients) client.end();
    this.clients.clear();
  }
}
