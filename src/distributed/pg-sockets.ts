import { Socket } from 'node:net';

/**
 * The sockets a PostgreSQL pool opens, made by pg's `stream` option. Why: `pool.end()` waits for a
 * connection still being made, which against a server that accepts and never answers lasts the
 * pool's whole connect timeout (the long wait for a free connection); destroying the sockets ends
 * it at once.
 */
export interface PgSockets {
  /** pg's `stream` option: a new socket for each connection, remembered until it closes. */
  readonly stream: () => Socket;
  /** Destroy every socket still open. */
  destroyAll(): void;
}

/** A new {@link PgSockets}, for one pool (and the LISTEN connection made from its config). */
export function trackPgSockets(): PgSockets {
  const open = new Set<Socket>();
  return {
    stream: () => {
      const socket = new Socket();
      open.add(socket);
      socket.once('close', () => open.delete(socket));
      return socket;
    },
    destroyAll: () => {
      for (const socket of open) socket.destroy();
      open.clear();
    },
  };
}
