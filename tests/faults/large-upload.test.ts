import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startService, type RunningService } from "../support/service.ts";
import { TELCO_PATH } from "../support/telco.ts";

const UPLOAD_BYTES = 200 * 1024 * 1024;
/** What the upload path may hold at once: a few stream chunks, far below the upload's size. */
const HEADROOM_BYTES = 64 * 1024 * 1024;

let service: RunningService;
let key: string;
beforeAll(async () => {
  service = await startService("local");
  key = await service.key("big-files");
});
afterAll(() => service.stop());

it("streams a 200 MiB upload to the store without holding it in memory", async () => {
  const [header, ...rows] = (await readFile(TELCO_PATH, "utf8")).trimEnd().split("\n");
  const block = Buffer.from(rows.join("\n") + "\n");
  let sent = 0;
  let peakRss = 0;
  const baseline = process.memoryUsage().rss;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(Buffer.from(header + "\n"));
      sent += header!.length + 1;
    },
    pull(controller) {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (sent >= UPLOAD_BYTES) return controller.close();
      controller.enqueue(block);
      sent += block.length;
    },
  });
  const response = await service.api("/v1/predictions", key, {
    method: "POST",
    headers: { "Content-Type": "text/csv" },
    body,
    duplex: "half",
  } as RequestInit);
  expect(response.status).toBe(202);
  const created = (await response.json()) as { id: string; inputBytes: number };
  expect(created.inputBytes).toBe(sent);
  expect((await stat(join(service.dataDir, "files", "inputs", `${created.id}.csv`))).size).toBe(sent);
  expect(peakRss - baseline).toBeLessThan(HEADROOM_BYTES);
  await service.api(`/v1/predictions/${created.id}`, key, { method: "DELETE" });
});
