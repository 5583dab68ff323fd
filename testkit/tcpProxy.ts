// A TCP proxy in front of PostgreSQL that a test can cut: every connection reset at once and new ones
// refused for a while, which is what a server restart looks like from the client (connections dropped
// without a word: "Connection terminated unexpectedly", then "not queryable" on ROLLBACK). The fault
// tests cut it for seconds under load; the outage test holds it down while it calls every route.
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Resets every connection and refuses new ones for `ms`. */
  cut(ms: number): Promise<void>;
  /** Resets every connection and refuses new ones until up(). */
  down(): void;
  up(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let refusing = false;
  const server: Server = createServer((client) => {
    if (refusing) return void client.resetAndDestroy();
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const down = () => {
    refusing = true;
    for (const s of [...sockets]) s.resetAndDestroy();
    sockets.clear();
  };
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    async cut(ms) {
      down();
      await new Promise((r) => setTimeout(r, ms));
      refusing = false;
    },
    down,
    up: () => void (refusing = false),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
