import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import type { Hono } from "hono";

export interface RunningServer {
  url: string;
  /** Stops accepting connections, lets requests in flight finish for `graceMs`, then cuts the rest. */
  close(graceMs?: number): Promise<void>;
}

/**
 * Serves the app with @hono/node-server. Node's default 5-minute `requestTimeout` would cut off a
 * multi-gigabyte upload on a slow link, so it is disabled; instead a client must send its headers
 * within `headersTimeoutSeconds` (default 20), and an upload that stalls is cut off by the upload's
 * own idle timer (upload.ts), so stalled clients cannot hold sockets and files open. Node checks
 * those deadlines on a timer (`connectionsCheckingInterval`, 30 s by default, which let slow headers
 * live ~31 s against a 20 s limit): once a second here.
 */
export function serveApi(
  app: { fetch: Hono["fetch"] },
  options: { port: number; host: string; headersTimeoutSeconds?: number },
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        port: options.port,
        hostname: options.host,
        serverOptions: { connectionsCheckingInterval: 1000 },
      },
      (info: AddressInfo) => {
        const host = info.address.includes(":") ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${info.port}`,
          close: (graceMs) => close(server as Server, graceMs),
        });
      },
    ) as Server;
    server.requestTimeout = 0;
    server.headersTimeout = (options.headersTimeoutSeconds ?? 20) * 1000;
    server.on("error", reject);
  });
}

function close(server: Server, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
