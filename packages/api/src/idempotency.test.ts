import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createTestApp, type TestApp } from "./test-app.ts";

const CSV = "customerID,tenure,MonthlyCharges\n0001-A,12,70.35\n";

let t: TestApp;
let key: string;
beforeAll(async () => {
  t = await createTestApp();
  key = await t.key("idem");
});
afterAll(() => t?.close());

type Init = RequestInit & { duplex?: "half" };

function post(path: string, idempotencyKey: string | null, init: Init = {}, token = key): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  if (!headers.has("Content-Type")) headers.set("Content-Type", "text/csv");
  if (idempotencyKey !== null) headers.set("Idempotency-Key", idempotencyKey);
  return Promise.resolve(t.app.request(path, { method: "POST", body: CSV, ...init, headers }));
}

const errorOf = async (r: Response) => ((await r.json()) as { error: { code: string; message: string } }).error;

async function predictionRows(): Promise<number> {
  const [row] = await t.db.sql<{ count: number }[]>`select count(*)::int as count from predictions`;
  return row!.count;
}

describe("Idempotency-Key on POST /v1/predictions", () => {
  test("a retry with the same key answers the original status, body and Location, and creates nothing new", async () => {
    const before = await predictionRows();
    const first = await post("/v1/predictions?filename=a.csv", "retry-1");
    expect(first.status).toBe(202);
    const original = await first.text();
    const again = await post("/v1/predictions?filename=a.csv", "retry-1");
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.headers.get("location")).toBe(first.headers.get("location"));
    expect(await again.text()).toBe(original);
    expect(await predictionRows()).toBe(before + 1);
    const inputs = await readdir(join(t.dir, "inputs"));
    expect(inputs.filter((f) => f === `${(JSON.parse(original) as { id: string }).id}.csv`)).toHaveLength(1);
  });

  test("the same key for a different request is refused with 409 saying so", async () => {
    expect((await post("/v1/predictions?filename=a.csv", "reuse")).status).toBe(202);
    const other = await post("/v1/predictions?filename=b.csv", "reuse");
    expect(other.status).toBe(409);
    expect(await errorOf(other)).toMatchObject({
      code: "idempotency.key_reused",
      message: expect.stringMatching(/different request/),
    });
  });

  test("keys are per account: another account's same key runs its own request", async () => {
    const other = await t.key("idem-other");
    const mine = await post("/v1/predictions", "shared-key");
    const theirs = await post("/v1/predictions", "shared-key", {}, other);
    expect(theirs.status).toBe(202);
    expect(theirs.headers.get("idempotent-replayed")).toBeNull();
    expect(((await theirs.json()) as { id: string }).id).not.toBe(((await mine.json()) as { id: string }).id);
  });

  test("of two simultaneous requests with one key, one runs and the other gets 409 in progress, then the original", async () => {
    const before = await predictionRows();
    const stored = (await readdir(join(t.dir, "inputs"))).length;
    let finish!: () => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(CSV));
        finish = () => controller.close();
      },
    });
    const slow = post("/v1/predictions", "race", { body, duplex: "half" });
    await t.uploadsStored(stored + 1); // the slow one holds the key
    const racing = await Promise.all([
      post("/v1/predictions", "race", { body: CSV }),
      post("/v1/predictions", "race", { body: CSV }),
    ]);
    for (const response of racing) {
      expect(response.status).toBe(409);
      expect(response.headers.get("retry-after")).toBe("5");
      expect(await errorOf(response)).toMatchObject({ code: "idempotency.in_progress" });
    }
    finish();
    const won = await slow;
    expect(won.status).toBe(202);
    const replay = await post("/v1/predictions", "race");
    expect(await replay.text()).toBe(await won.text());
    expect(await predictionRows()).toBe(before + 1);
  });

  test("a request that failed gives its key up, so the corrected retry runs", async () => {
    const failed = await post("/v1/predictions", "fix-then-retry", {
      body: "{}",
      headers: { "Content-Type": "application/json" },
    });
    expect(failed.status).toBe(415);
    const fixed = await post("/v1/predictions", "fix-then-retry");
    expect(fixed.status).toBe(202);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
  });

  test.each([
    ["too long", "k".repeat(256)],
    ["with a space", "two words"],
    ["not ASCII", "clé"],
  ])("a key %s is refused with 400 naming the header", async (_, bad) => {
    const response = await post("/v1/predictions", null, { headers: { "Idempotency-Key": bad } });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({
      code: "request.invalid_idempotency_key",
      message: expect.stringMatching(/Idempotency-Key/),
    });
  });
});

describe("Idempotency-Key on POST /v1/outcomes and /v1/models", () => {
  test("an outcomes upload retried with its key is not counted twice", async () => {
    const outcomes = "customer_id,churned\n0001-A,yes\n";
    const first = await post("/v1/outcomes", "outcomes-1", { body: outcomes });
    expect(first.status).toBe(200);
    const again = await post("/v1/outcomes", "outcomes-1", { body: outcomes });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.text()).toBe(await first.text());
  });

  test("a training upload retried with its key answers the same model", async () => {
    const labeled = "customer_id,plan,churned\nA-1,pro,yes\nA-2,basic,no\n";
    const first = await post("/v1/models?label=churned&name=idem", "model-1", { body: labeled });
    expect(first.status).toBe(202);
    const again = await post("/v1/models?label=churned&name=idem", "model-1", { body: labeled });
    expect(again.status).toBe(202);
    expect(await again.text()).toBe(await first.text());
  });
});
