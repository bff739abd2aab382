import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mulberry32 } from "../../packages/core/src/training/split.ts";
import { startJobHarness, type JobHarness } from "../support/job-harness.ts";
import { workerProcesses } from "../support/worker-process.ts";

/**
 * The label's words on the API's path (POST /v1/models without `positive`: the row's
 * positive_value is null): a real worker process trains from the store and reads the label as
 * `retainwise train` does, with the same messages.
 */
let h: JobHarness;
const workers = workerProcesses(() => h);
beforeAll(async () => {
  h = await startJobHarness();
  workers.start();
});
afterAll(async () => {
  await workers.stopAll();
  await h.close();
});

/** 600 rows: a 9-digit CLIENTNUM, a driver and the label in `words`. */
function table(words: [churned: string, retained: string]): string {
  const random = mulberry32(5);
  const lines = ["CLIENTNUM,Total_Trans_Ct,Attrition_Flag"];
  for (let r = 0; r < 600; r++) {
    const count = 10 + Math.floor(random() * 120);
    lines.push(`${768_805_383 + r * 7_919},${count},${random() < 0.5 - count / 300 ? words[0] : words[1]}`);
  }
  return lines.join("\n") + "\n";
}

describe("training a model through the worker without positive", () => {
  it("learns Attrited Customer as churned and leaves CLIENTNUM out", { timeout: 180_000 }, async () => {
    const model = await h.submitModel(table(["Attrited Customer", "Existing Customer"]), {
      label: "Attrition_Flag",
      name: "cards",
    });
    const ready = await h.waitForModel(model.id, (row) => row.status === "READY" || row.status === "FAILED", 170_000);
    expect(ready.errorMessage).toBeNull();
    expect(ready.card).toMatchObject({ label: { column: "Attrition_Flag", positive: "Attrited Customer" } });
    const columns = (ready.card as { columns: { name: string; role: string }[] }).columns;
    expect(columns.find((c) => c.name === "CLIENTNUM")?.role).toBe("identifier");
  });

  it("fails a label it cannot read with the message that lists both values and how to name either", {
    timeout: 120_000,
  }, async () => {
    const model = await h.submitModel(table(["Gold", "Silver"]), { label: "Attrition_Flag", name: "tiers" });
    const failed = await h.waitForModel(model.id, (row) => row.status === "READY" || row.status === "FAILED", 110_000);
    expect(failed.status).toBe("FAILED");
    expect(failed.errorCode).toBe("train.unknown_positive");
    expect(failed.errorMessage).toMatch(
      /^Cannot tell which Attrition_Flag value means churned: "(Gold|Silver)" \([\d,]+ rows\) or "(Gold|Silver)" \([\d,]+ rows\) \(neither reads as churned or retained\)\. Pass --positive "\1" if "\1" means churned \(then "\2" means retained\), or --positive "\2" if "\2" means churned \(through the API or the web page, the same value as positive\)\.$/,
    );
  });
});
