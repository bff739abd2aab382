/**
 * A TCP proxy in front of a real server, to cut it off like a network or database outage would:
 * `blackhole()` destroys every open connection and then accepts new ones without ever answering
 * (a dead host or a dropped route: clients only learn it from their own timeouts); `restore()`
 * forwards again.
 *
 *   const proxy = await startTcpProxy({ host: "127.0.0.1", port: 5432 });
 *   const sql = connect(`postgres://user@127.0.0.1:${proxy.port}/db`, { connectTimeoutSeconds: 1.5 });
 *   proxy.blackhole();   // queries now fail after the connect timeout
 */
import { createConnection, createServer, type AddressInfo, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  blackhole(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let cut = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("error", () => {}).on("close", () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    if (cut) return; // accepted, never answered
    const upstream = createConnection(target);
    track(upstream);
    client.pipe(upstream).pipe(client);
    upstream.on("close", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    blackhole() {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      cut = false;
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
