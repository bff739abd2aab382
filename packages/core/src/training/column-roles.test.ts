import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { POINT_DECIMAL } from "../csv/numbers.ts";
import { readTrainingTable } from "./read-table.ts";
import { decideRoles, type RawColumn } from "./column-roles.ts";
import { mulberry32 } from "./split.ts";

const ROWS = 2000;

/** Labels with a known driver (`risk`) so a predictive column can be built from it; seeded. */
function table(seed = 11): { labels: Uint8Array; risk: number[]; random: () => number } {
  const random = mulberry32(seed);
  const risk = Array.from({ length: ROWS }, () => random());
  const labels = Uint8Array.from(risk, (r) => (random() < 0.1 + 0.5 * r ? 1 : 0));
  return { labels, risk, random };
}

/** Distinct whole numbers in random order: `start + k * step` for a shuffled k. */
function shuffledDistinct(random: () => number, start: number, step: number): number[] {
  const values = Array.from({ length: ROWS }, (_, k) => start + k * step);
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return values;
}

function roleOf(column: RawColumn, labels: Uint8Array): { role: string; reason: string } {
  const { decisions } = decideRoles([column], labels, POINT_DECIMAL);
  return decisions[0]!;
}

describe("whole-number identifiers", () => {
  it("classes a 9-digit number distinct in every row (CLIENTNUM) as an identifier, saying why", () => {
    const { labels, random } = table();
    const clientnum = shuffledDistinct(random, 708_082_083, 4_517).map(String);
    const decision = roleOf({ name: "CLIENTNUM", cells: clientnum }, labels);
    expect(decision.role).toBe("identifier");
    expect(decision.reason).toBe(
      "whole numbers distinct in 100% of rows, each of 9+ digits: an account or customer number, not a quantity",
    );
  });

  it("counts the zeros of a zero-padded number as digits", () => {
    const { labels, random } = table();
    const padded = shuffledDistinct(random, 1, 1).map((n) => String(n).padStart(9, "0"));
    expect(roleOf({ name: "member", cells: padded }, labels).role).toBe("identifier");
  });

  it("classes a shorter distinct whole number unordered relative to the label as an identifier", () => {
    const { labels, random } = table();
    const decision = roleOf({ name: "Member", cells: shuffledDistinct(random, 10_000, 37).map(String) }, labels);
    expect(decision.role).toBe("identifier");
    expect(decision.reason).toMatch(
      /^whole numbers distinct in 100% of rows and unordered relative to the label \(rank AUC 0\.\d{3}, binned held-out AUC 0\.\d{3}\)/,
    );
  });

  it("keeps a distinct whole number that ranks the label as a quantity, and says why", () => {
    const { labels, risk, random } = table();
    // Seconds of use: distinct per row, and more use goes with more churn here.
    const order = risk.map((r, i) => ({ i, key: r + 0.3 * random() })).sort((a, b) => a.key - b.key);
    const seconds = new Array<string>(ROWS);
    order.forEach(({ i }, rank) => {
      seconds[i] = String(50_000 + rank * 13);
    });
    const decision = roleOf({ name: "SecondsUsed", cells: seconds }, labels);
    expect(decision.role).toBe("numeric");
    expect(decision.reason).toMatch(
      /^numbers; whole numbers distinct in 100% of rows, kept as a quantity: ordered relative to the label \(rank AUC 0\.[6-9]/,
    );
  });

  it("keeps a distinct whole number related to the label in a non-monotone way as a quantity", () => {
    const { labels, risk } = table();
    // High churn at both ends: a rank AUC near 0.5, but its bins tell the classes apart.
    const order = risk.map((r, i) => ({ i, key: r < 0.5 ? r : 1.5 - r })).sort((a, b) => a.key - b.key);
    const cells = new Array<string>(ROWS);
    order.forEach(({ i }, rank) => {
      cells[i] = String(1_000 + rank * 3);
    });
    expect(roleOf({ name: "Score", cells }, labels).role).toBe("numeric");
  });

  it("keeps decimal balances numeric however many distinct values they have", () => {
    const { labels, random } = table();
    const balances = Array.from({ length: ROWS }, () => (random() * 250_000).toFixed(2));
    const decision = roleOf({ name: "Balance", cells: balances }, labels);
    expect(decision).toEqual({ name: "Balance", role: "numeric", reason: "numbers" });
  });

  it("keeps big decimal amounts numeric even with 9+ digits before the point", () => {
    const { labels, random } = table();
    const amounts = Array.from({ length: ROWS }, () => (100_000_000 + random() * 900_000_000).toFixed(2));
    expect(roleOf({ name: "Assets", cells: amounts }, labels).role).toBe("numeric");
  });

  it("keeps whole numbers that repeat (tenure in months) numeric", () => {
    const { labels, random } = table();
    const tenure = Array.from({ length: ROWS }, () => String(Math.floor(random() * 72)));
    expect(roleOf({ name: "tenure", cells: tenure }, labels)).toMatchObject({ role: "numeric", reason: "numbers" });
  });

  it("leaves a small table's distinct whole numbers numeric unless they have 9+ digits: too few rows to tell an id from a measure", () => {
    const { labels, random } = table();
    const few = labels.subarray(0, 150);
    const cells = shuffledDistinct(random, 10_000, 37).slice(0, 150).map(String);
    expect(roleOf({ name: "Member", cells }, few).role).toBe("numeric");
    const long = shuffledDistinct(random, 708_082_083, 4_517).slice(0, 150).map(String);
    expect(roleOf({ name: "CLIENTNUM", cells: long }, few).role).toBe("identifier");
  });
});

describe("readTrainingTable with a CLIENTNUM column", () => {
  it("leaves CLIENTNUM out of the inputs and hands its cells on as the ids", async () => {
    const { labels, risk, random } = table();
    const clientnum = shuffledDistinct(random, 708_082_083, 4_517);
    const lines = ["CLIENTNUM,Customer_Age,Total_Trans_Amt,Attrition_Flag"];
    for (let r = 0; r < ROWS; r++) {
      lines.push(
        `${clientnum[r]},${30 + Math.floor(random() * 40)},${(1000 + 4000 * (1 - risk[r]!)).toFixed(2)},${labels[r] ? "Attrited Customer" : "Existing Customer"}`,
      );
    }
    const input = await readTrainingTable(Readable.from([Buffer.from(lines.join("\n"))]), { label: "Attrition_Flag" });
    expect(input.columns.map((c) => [c.name, c.role])).toEqual([
      ["CLIENTNUM", "identifier"],
      ["Customer_Age", "numeric"],
      ["Total_Trans_Amt", "numeric"],
      ["Attrition_Flag", "label"],
    ]);
    expect(input.label.positive).toBe("Attrited Customer");
    expect(input.table.inputs.map((i) => i.name)).toEqual(["Customer_Age", "Total_Trans_Amt"]);
    expect(input.ids?.slice(0, 2)).toEqual([String(clientnum[0]), String(clientnum[1])]);
  });
});
