import { mkdtemp, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isTermTablesCard, loadModel, readModelCard } from "@retainwise/core";
import { describe, expect, it, vi } from "vitest";
import { readTelco, toCsv } from "../../../../tests/support/telco.ts";
import { run } from "./train.ts";

/** Runs `retainwise train` with stdout and stderr captured. */
async function train(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await run(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe("retainwise train", () => {
  it("on a terminal draws a progress bar instead of JSON lines, which --json brings back", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rw-train-tty-"));
    const telco = readTelco();
    const csv = join(dir, "history.csv");
    await writeFile(csv, toCsv(telco.headers, telco.rows.slice(0, 600)));
    const wasTty = process.stderr.isTTY;
    process.stderr.isTTY = true;
    try {
      const bar = await train([csv, "--label", "Churn", "-o", join(dir, "bar-v1.onnx"), "--threads", "1"]);
      expect(bar.code).toBe(0);
      expect(bar.stderr).toMatch(/\r\[#+-*\] +\d+% 600 rows, \d+ inputs · /);
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the bar ends its line with the terminal's erase-to-end code.
      expect(bar.stderr).toMatch(/\[#{30}\] 100% 600 rows, \d+ inputs · done\x1b\[K\nTrained in \d+(\.\d+)? s\.\n$/);
      expect(bar.stderr).not.toContain('"msg"');
      const json = await train([csv, "--label", "Churn", "-o", join(dir, "json-v1.onnx"), "--threads", "1", "--json"]);
      expect(
        json.stderr
          .trim()
          .split("\n")
          .map((line) => (JSON.parse(line) as { msg: string }).msg),
      ).toContain("model written");
    } finally {
      process.stderr.isTTY = wasTty;
    }
  }, 120_000);

  it("names a file that is not there in one line", async () => {
    const { code, stderr } = await train(["missing.csv", "--label", "Churn", "-o", "m.onnx"]);
    expect(code).toBe(1);
    expect(stderr).toBe("retainwise train: No such file or directory: missing.csv\n");
  });

  it("answers a mistyped option with the closest one", async () => {
    const { code, stderr } = await train(["h.csv", "--lable", "Churn", "-o", "m.onnx"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^retainwise train: unknown option --lable\. Did you mean --label\?\n/);
  });

  it("trains on a European Excel export, prints each column's role, and writes a model that loads with its card", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rw-train-"));
    const telco = readTelco();
    const csv = join(dir, "history.csv");
    await writeFile(
      csv,
      toCsv(
        telco.headers,
        telco.rows.slice(0, 1500).map((r) => r.map((c) => c.replace(".", ","))),
        { delimiter: ";", bom: true, newline: "\r\n" },
      ),
    );
    const model = join(dir, "churn-v7.onnx");
    const { code, stdout, stderr } = await train([
      csv,
      "--label",
      "churn",
      "-o",
      model,
      "--seed",
      "3",
      "--exclude",
      "gender",
    ]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^column +role +reason\n/);
    expect(stdout).toMatch(/\ncustomerID +identifier +named like an identifier/);
    expect(stdout).toMatch(/\ngender +categorical +left out by --exclude/);
    expect(stdout).toMatch(/held-out AUC 0\.\d{4}/);
    const progress = stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { msg: string; phase?: string; percent?: number });
    expect(progress.map((p) => p.msg)).toEqual(expect.arrayContaining(["read training file", "fit", "model written"]));
    // Progress moves inside a phase too (the worker's no-progress watchdog watches it), in order.
    const fit = progress.filter((p) => p.msg === "fit");
    expect(fit.length).toBeGreaterThan(new Set(fit.map((p) => p.phase)).size);
    expect(fit.map((p) => p.percent)).toEqual([...fit.map((p) => p.percent!)].sort((a, b) => a - b));
    const card = await readModelCard(join(dir, "churn-v7.card.json"));
    expect(isTermTablesCard(card) && card.inputs.map((i) => i.name)).not.toContain("gender");
    expect(card.version).toBe("v7");
    expect(card.hyperparameters?.seed).toBe(3);
    const loaded = await loadModel(model);
    expect(loaded.factors.length).toBe(isTermTablesCard(card) ? card.terms.length : -1);
    await loaded.release();
  }, 300_000);

  it("exits 2 with usage when the label is not given, writing nothing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rw-train-"));
    const model = join(dir, "m.onnx");
    expect((await train([readTelcoPath(), "-o", model])).code).toBe(2);
    await expect(stat(model)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("exits 1 naming the closest column when the label column does not exist", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rw-train-"));
    const { code, stderr } = await train([readTelcoPath(), "--label", "Churned", "-o", join(dir, "m.onnx")]);
    expect(code).toBe(1);
    expect(stderr).toContain('Did you mean "Churn"?');
    expect(stderr).toContain("(train.missing_label)");
  });
});

function readTelcoPath(): string {
  return new URL("../../../../tests/fixtures/telco-churn.csv", import.meta.url).pathname;
}
