import { createServer, connect as tcpConnect, type Server, type Socket } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "@retainwise/core";
import { freePort } from "../../../tests/support/free-port.ts";
import { useTestDatabase } from "../../../tests/support/postgres.ts";
import { connect } from "./connect.ts";
import { waitForDatabase } from "./wait.ts";

const db = useTestDatabase();
const pools: ReturnType<typeof connect>[] = [];
afterAll(() => Promise.all(pools.map((sql) => sql.end())));
const pool = (url: string, options: Parameters<typeof connect>[1] = {}) => {
  const sql = connect(url, { max: 1, ...options });
  pools.push(sql);
  return sql;
};

/** A TCP port that refuses connections until `open()`, then forwards them to the test database. */
async function lateDatabase(): Promise<{ url: string; open(): Promise<void>; close(): void }> {
  const target = new URL(db.url);
  const port = await freePort();
  let server: Server | undefined;
  const sockets: Socket[] = [];
  return {
    url: Object.assign(new URL(db.url), { port: String(port) }).toString(),
    async open() {
      server = createServer((client) => {
        const upstream = tcpConnect(Number(target.port), target.hostname);
        sockets.push(client, upstream);
        client.pipe(upstream).pipe(client);
        client.on("error", () => upstream.destroy());
        upstream.on("error", () => client.destroy());
      });
      await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    },
    close() {
      for (const s of sockets) s.destroy();
      server?.close();
    },
  };
}

describe("waiting for the database at start-up", () => {
  it("waits while the database refuses connections and resolves once it answers", async () => {
    const late = await lateDatabase();
    const opening = new Promise((r) => setTimeout(r, 1_500)).then(() => late.open());
    const started = Date.now();
    await waitForDatabase(pool(late.url), { timeoutSeconds: 30, logger: silentLogger });
    await opening;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    late.close();
  });

  it("gives up after its deadline, saying what to check", async () => {
    const closed = (await lateDatabase()).url;
    await expect(waitForDatabase(pool(closed), { timeoutSeconds: 1, logger: silentLogger })).rejects.toMatchObject({
      code: "db.unreachable",
      message: expect.stringMatching(/did not answer within 1 s[\s\S]*ECONNREFUSED[\s\S]*reachable/),
    });
  });

  it("refuses a server without TLS when a CA bundle is configured, instead of talking in clear text", async () => {
    const ca = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUZ8\n-----END CERTIFICATE-----\n";
    const sql = pool(db.url, { ca });
    await expect(waitForDatabase(sql, { timeoutSeconds: 2, logger: silentLogger })).rejects.toMatchObject({
      code: "db.unreachable",
    });
    await expect(pool(db.url)`select 1 as ok`).resolves.toEqual([{ ok: 1 }]);
  });
});
