import { randomUUID } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { BUILTIN_MODEL_ID } from "@retainwise/core/models";
import type { TermTablesCard } from "@retainwise/core/model/card";
import { startTestApi, type TestApi } from "./test-app.ts";
import { card as builtinCard, common } from "./ui/test-card.ts";

/** A bank model: reads CreditScore and Products, knows customers by CustomerId. */
const bankCard: TermTablesCard = {
  ...common,
  name: "bank",
  version: "bank-v1",
  label: { column: "Exited", positive: "1" },
  format: "term-tables/1",
  intercept: -1,
  inputs: [
    { role: "numeric", name: "CreditScore", label: "Credit score", cuts: [600] },
    { role: "categorical", name: "Products", label: "Products", categories: ["1", "2"] },
  ],
  terms: [{ kind: "main", inputs: [0], table: [0, 0.2, -0.2] }],
  columns: [{ name: "CustomerId", role: "identifier", reason: "unique in every row" }],
};

const BANK_FILE = "CustomerId,CreditScore,Products\n15634602,619,1\n15647311,608,2\n";
const TELCO_FILE = "customerID,tenure,plan,autopay\nA-1,3,Pro,yes\n";

let api: TestApi;
let key: string;
let bankId: string;

beforeAll(async () => {
  api = await startTestApi();
  key = await api.key("acme");
  // The built-in row with a term-tables card (tenure, plan, autopay), as start-up registers the shipped one.
  await api.models.registerBuiltin(builtinCard, { onnxKey: "models/builtin/test.onnx", cardKey: null });
  bankId = await readyModel("acme", bankCard);
});
afterAll(() => api?.stop());

async function accountOf(name: string): Promise<string> {
  return (await api.accounts.ensureAccount(name)).id;
}

/** A READY model of `account` with `card`, as a finished training leaves it. */
async function readyModel(account: string, card: TermTablesCard): Promise<string> {
  const { id: accountId } = await api.accounts.ensureAccount(account);
  const id = randomUUID();
  await api.models.create({
    id,
    accountId,
    name: card.name,
    labelColumn: card.label.column,
    positiveValue: card.label.positive,
    inputKey: `accounts/${accountId}/models/${id}/training.csv`,
    inputFilename: "bank.csv",
    inputBytes: 10,
  });
  const { attempt } = (await api.models.claim(id, { staleAfterSeconds: 45 }))!;
  const metrics = { heldOut: null, classBalance: { positive: 1, negative: 1 } };
  expect(
    await api.models.complete(id, attempt, { onnxKey: "m.onnx", cardKey: "m.card.json", card, metrics, rows: 2 }),
  ).toBe(true);
  return id;
}

const post = (path: string, body: string) =>
  fetch(api.url + path, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "text/csv" },
    body,
  });
type ErrorBody = {
  error: {
    code: string;
    message: string;
    details?: {
      model: { id: string; model: string };
      missingColumns: string[];
      matchingModels: { id: string; model: string }[];
    };
  };
};
const storedInputs = async () => (await readdir(join(api.dir, "inputs")).catch(() => [])).length;

describe("an upload the model cannot read", () => {
  test("is refused with 400 before anything is stored, naming the missing columns and the account's model that reads the file", async () => {
    const before = await storedInputs();
    const response = await post("/v1/predictions", BANK_FILE);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorBody;
    expect(error.code).toBe("csv.missing_columns");
    expect(error.message).toMatch(
      /^The model telco-v1 cannot score this file\. The file is missing 3 required columns: tenure; plan; autopay\./,
    );
    expect(error.message).toContain(`Your model bank-v1 reads every column it needs: score with ?model=${bankId}.`);
    expect(error.details).toEqual({
      model: { id: BUILTIN_MODEL_ID, model: "telco-v1" },
      missingColumns: ["tenure", "plan", "autopay"],
      matchingModels: [{ id: bankId, model: "bank-v1" }],
    });
    expect(await storedInputs()).toBe(before);
    expect(
      (await api.predictions.list((await api.accounts.ensureAccount("acme")).id, { limit: 10 })).items,
    ).toHaveLength(0);
  });

  test("is accepted with the model the refusal named, the whole file stored byte for byte", async () => {
    const big = BANK_FILE + Array.from({ length: 20_000 }, (_, i) => `${i},${600 + (i % 50)},1`).join("\n") + "\n";
    const response = await post(`/v1/predictions?model=${bankId}`, big);
    expect(response.status).toBe(202);
    const { id, inputBytes } = (await response.json()) as { id: string; inputBytes: number };
    expect(inputBytes).toBe(Buffer.byteLength(big));
    const stored = await new Response((await api.store.get(`inputs/${id}.csv`)) as unknown as ReadableStream).text();
    expect(stored).toBe(big);
  });

  test("names no model when none of the account's reads the file, and another account's models are never offered", async () => {
    const otherKey = await api.key("globex");
    const response = await fetch(`${api.url}/v1/predictions`, {
      method: "POST",
      headers: { Authorization: `Bearer ${otherKey}`, "Content-Type": "text/csv" },
      body: BANK_FILE,
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorBody;
    expect(error.details?.matchingModels).toEqual([]);
    expect(error.message).toContain("None of your models reads this file");
  });

  test("a challenger that cannot read the file is refused the same way, as the challenger", async () => {
    const response = await post(`/v1/predictions?model=${bankId}&challenger=${BUILTIN_MODEL_ID}`, BANK_FILE);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorBody;
    expect(error.message).toMatch(/^The challenger telco-v1 cannot score this file\./);
  });

  test("a named id column the file lacks is refused at upload, naming the closest header", async () => {
    const response = await post(`/v1/predictions?model=${bankId}&idColumn=CustomerIdx`, BANK_FILE);
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as ErrorBody;
    expect(error.code).toBe("csv.missing_columns");
    expect(error.message).toContain('(closest: "CustomerId")');
  });

  test("a file the default model reads is accepted as before", async () => {
    expect((await post("/v1/predictions", TELCO_FILE)).status).toBe(202);
  });
});

describe("POST /v1/predictions/:id/retry", () => {
  test("scores a failed prediction's stored file again with the model the refusal names", async () => {
    // A file accepted before uploads were checked (or one a model without a card let through), then FAILED by the worker.
    const accountId = (await api.accounts.ensureAccount("acme")).id;
    const failedId = randomUUID();
    await api.store.put(`inputs/${failedId}.csv`, Readable.from([Buffer.from(BANK_FILE)]));
    await api.predictions.create({
      id: failedId,
      accountId,
      inputKey: `inputs/${failedId}.csv`,
      inputFilename: "bank.csv",
      inputBytes: BANK_FILE.length,
      modelId: BUILTIN_MODEL_ID,
      inputColumns: ["CustomerId", "CreditScore", "Products"],
    });
    const { attempt } = (await api.predictions.claim(failedId, { staleAfterSeconds: 45 }))!;
    await api.predictions.fail(failedId, attempt, {
      code: "csv.missing_columns",
      message: "The file is missing tenure.",
    });

    // The check reads the header kept with the prediction, and the file is copied inside the store: the API reads no object.
    const reads = vi.spyOn(api.store, "get");
    const same = await post(`/v1/predictions/${failedId}/retry`, "");
    expect(same.status).toBe(400);
    const { error } = (await same.json()) as ErrorBody;
    expect(error.details?.matchingModels).toEqual([{ id: bankId, model: "bank-v1" }]);

    const retried = await post(`/v1/predictions/${failedId}/retry?model=${bankId}`, "");
    expect(retried.status).toBe(202);
    const created = (await retried.json()) as { id: string; status: string; inputFilename: string; modelId: string };
    expect(retried.headers.get("Location")).toBe(`/v1/predictions/${created.id}`);
    expect(created).toMatchObject({ status: "QUEUED", inputFilename: "bank.csv", modelId: bankId });
    expect(created.id).not.toBe(failedId);
    expect(reads).not.toHaveBeenCalled();
    reads.mockRestore();
    const stored = await new Response(
      (await api.store.get(`inputs/${created.id}.csv`)) as unknown as ReadableStream,
    ).text();
    expect(stored).toBe(BANK_FILE);
  });

  test("an upload keeps its header row, so its retry with a model that cannot read it is refused before anything is stored", async () => {
    const uploaded = (await (await post("/v1/predictions", TELCO_FILE)).json()) as { id: string };
    expect((await api.predictions.get(await accountOf("acme"), uploaded.id))?.inputColumns).toEqual([
      "customerID",
      "tenure",
      "plan",
      "autopay",
    ]);
    const { attempt } = (await api.predictions.claim(uploaded.id, { staleAfterSeconds: 45 }))!;
    await api.predictions.fail(uploaded.id, attempt, { code: "csv.no_rows", message: "No rows." });
    const before = (await api.predictions.list(await accountOf("acme"), { limit: 100 })).items.length;
    const refused = await post(`/v1/predictions/${uploaded.id}/retry?model=${bankId}`, "");
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ErrorBody).error).toMatchObject({
      code: "csv.missing_columns",
      message: expect.stringContaining("CreditScore"),
    });
    expect((await api.predictions.list(await accountOf("acme"), { limit: 100 })).items.length).toBe(before);
  });

  test("a prediction still queued cannot be retried, and one whose file is gone says so", async () => {
    const queued = (await (await post("/v1/predictions", TELCO_FILE)).json()) as { id: string };
    const running = await post(`/v1/predictions/${queued.id}/retry`, "");
    expect(running.status).toBe(409);
    expect(((await running.json()) as ErrorBody).error.code).toBe("prediction.not_ready");

    const { attempt } = (await api.predictions.claim(queued.id, { staleAfterSeconds: 45 }))!;
    await api.predictions.fail(queued.id, attempt, { code: "csv.no_rows", message: "No rows." });
    await api.store.delete(`inputs/${queued.id}.csv`);
    const gone = await post(`/v1/predictions/${queued.id}/retry`, "");
    expect(gone.status).toBe(409);
    expect(((await gone.json()) as ErrorBody).error).toMatchObject({
      code: "prediction.input_gone",
      message: expect.stringContaining("Upload it again"),
    });
  });
});
