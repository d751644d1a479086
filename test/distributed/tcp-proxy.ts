import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/** A TCP proxy in front of a real server, whose {@link TcpProxy.restart} looks like a server restart. */
export interface TcpProxy {
  /** The port it listens on, on 127.0.0.1. */
  readonly port: number;
  /** Connections accepted so far (a client that reconnected shows up as new ones). */
  readonly accepted: number;
  /**
   * Cut every proxied connection at once and refuse new ones for `downMs`, then accept again: what
   * a client sees when the server restarts. Resolves once the proxy accepts again.
   */
  restart(downMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Start a proxy on an ephemeral port of 127.0.0.1 that pipes each client connection to
 * `target`. Tests point a process at it instead of at the server, so that they can make the
 * server "restart" without touching the machine's real server (others use it).
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const onConnection = (client: Socket) => {
    accepted += 1;
    const upstream = connect(target);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      // A reset from either side ends the pair: the other side must see its peer go, as it would.
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  };
  let server = await listen(createServer(onConnection), 0);
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    get accepted() {
      return accepted;
    },
    restart: async (downMs = 1000) => {
      // Closing the listener first makes connection attempts during the outage fail with
      // ECONNREFUSED, as against a server that is not up yet.
      const closed = closeServer(server);
      for (const socket of sockets) socket.destroy();
      await closed;
      await new Promise((resolve) => setTimeout(resolve, downMs));
      server = await listen(createServer(onConnection), port);
    },
    close: async () => {
      const closed = closeServer(server);
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function listen(server: Server, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
