import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll } from "vitest";
import { createFileObjectStore, serveSignedDownload } from "../../packages/local/src/index.ts";
import { createPostgresJobQueue } from "../../packages/postgres/src/index.ts";
import { createTestDatabase, type TestDatabase } from "../support/postgres.ts";
import { jobQueueContract } from "./job-queue.contract.ts";
import { objectStoreContract } from "./object-store.contract.ts";

let db: TestDatabase;
let filesDir: string;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
  filesDir = await fs.mkdtemp(path.join(os.tmpdir(), "rw-file-store-"));
});
afterAll(async () => {
  await db.drop();
  await fs.rm(filesDir, { recursive: true, force: true });
});

jobQueueContract("Postgres job queue", async () => {
  const queue = createPostgresJobQueue({ sql: db.sql, queue: `contract-${randomUUID()}` });
  return { queue, parked: () => queue.parked(), dispose: () => queue.close() };
});

objectStoreContract("files-on-disk store", async () => {
  const signingSecret = randomBytes(32).toString("hex");
  let store: ReturnType<typeof createFileObjectStore> | undefined;
  // Stands in for the API's GET /files/* route, which serves through the same function.
  const server = http.createServer((request, response) => {
    serveSignedDownload(store!, request.url ?? "/", signingSecret).then(
      (answer) => {
        response.writeHead(answer.status, Object.fromEntries(answer.headers));
        if (answer.body) Readable.fromWeb(answer.body as never).pipe(response);
        else response.end();
      },
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as import("node:net").AddressInfo;
  store = createFileObjectStore({ dir: filesDir, publicBaseUrl: `http://127.0.0.1:${port}`, signingSecret });
  return {
    store,
    dispose: () => new Promise<void>((resolve) => server.close(() => resolve()).closeAllConnections()),
  };
});
