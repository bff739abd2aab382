import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readModelCard } from "@retainwise/core";
import { describe, expect, it } from "vitest";
import { run } from "./train.ts";

const FIXTURE = new URL("../../../../tests/fixtures/telco-churn.csv", import.meta.url).pathname;

describe("retainwise train", () => {
  it("writes a model, a valid card beside it and the held-out split", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rw-train-"));
    const model = join(dir, "churn-v7.onnx");
    const split = join(dir, "split.csv");
    const code = await run([FIXTURE, "--label", "Churn", "-o", model, "--seed", "3", "--split-out", split]);
    expect(code).toBe(0);
    const card = await readModelCard(join(dir, "churn-v7.card.json"));
    expect(card.version).toBe("v7");
    expect(card.hyperparameters?.seed).toBe(3);
    // onnxruntime itself is exercised in packages/core/src/training/onnx-export.test.ts.
    expect((await stat(model)).size).toBeGreaterThan(1000);
    const lines = (await readFile(split, "utf8")).trim().split("\n");
    expect(lines).toHaveLength(5627);
    expect(lines.filter((l) => l.includes(",heldout,"))).toHaveLength(card.metrics!.heldOut.rows);
  });

  it("exits 2 with usage when the label is not given, writing nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rw-train-"));
    const model = join(dir, "m.onnx");
    expect(await run([FIXTURE, "-o", model])).toBe(2);
    await expect(stat(model)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("exits 1 with a fixable message when the label column does not exist", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rw-train-"));
    expect(await run([FIXTURE, "--label", "Exited", "-o", join(dir, "m.onnx")])).toBe(1);
  });
});
