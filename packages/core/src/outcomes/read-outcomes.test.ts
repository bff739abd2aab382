import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { isRetainwiseError, type RetainwiseError } from "../errors.ts";
import type { Outcome } from "./outcome.ts";
import type { OutcomeVocabulary } from "./outcome-columns.ts";
import { readOutcomes } from "./read-outcomes.ts";

const NOW = new Date("2026-12-07T12:00:00Z");
const bank: OutcomeVocabulary = {
  model: "bank-v1",
  labelColumn: "Exited",
  churnedValue: "1",
  idColumns: ["CustomerId"],
};
const cards: OutcomeVocabulary = {
  model: "cards-v2",
  labelColumn: "Attrition_Flag",
  churnedValue: "Attrited Customer",
  idColumns: ["CLIENTNUM"],
};
const telco: OutcomeVocabulary = {
  model: "telco-v1",
  labelColumn: "Churn",
  churnedValue: "Yes",
  idColumns: ["customerID"],
};

async function read(csv: string, vocabularies: OutcomeVocabulary[] = [bank, cards, telco]) {
  const saved: Outcome[] = [];
  const result = await readOutcomes(Readable.from([Buffer.from(csv)]), async (batch) => void saved.push(...batch), {
    vocabularies,
    now: NOW,
  });
  return { result, saved: Object.fromEntries(saved.map((o) => [o.customerId, o.churned])) };
}

async function refusal(csv: string, vocabularies?: OutcomeVocabulary[]): Promise<RetainwiseError> {
  const error = await read(csv, vocabularies).then(
    () => null,
    (e: unknown) => e,
  );
  if (!isRetainwiseError(error)) throw new Error(`expected a RetainwiseError, got ${String(error)}`);
  return error;
}

describe("outcomes in a model's own words", () => {
  test("a bank model's label column and id column are read, and the answer says in whose words", async () => {
    const { result, saved } = await read("CustomerId,Exited\n15634602,1\n15647311,0\n");
    expect(saved).toEqual({ "15634602": true, "15647311": false });
    expect(result.matched).toEqual({
      customerId: "CustomerId",
      churned: "Exited",
      observedAt: null,
      model: "bank-v1",
      churnedValue: "1",
      stayedValue: null,
    });
  });

  test("a label in words of its own takes the file's other value as stayed, and a third value is a row error naming both", async () => {
    const { result, saved } = await read(
      "CLIENTNUM,Attrition_Flag\n768805383,Existing Customer\n818770008,attrited customer\n713982108,Unknown\n",
    );
    expect(saved).toEqual({ "768805383": false, "818770008": true });
    expect(result.matched).toMatchObject({
      customerId: "CLIENTNUM",
      churned: "Attrition_Flag",
      model: "cards-v2",
      churnedValue: "Attrited Customer",
      stayedValue: "Existing Customer",
    });
    expect(result.rowErrors).toEqual([
      {
        row: 3,
        customerId: "713982108",
        reason:
          'churned "Unknown" is neither "Attrited Customer" (churned, as cards-v2 learned it) nor "Existing Customer" (stayed, the file\'s other value)',
      },
    ]);
  });

  test("the generic names still win and read yes/no, 1/0, true/false", async () => {
    const { result, saved } = await read("customer_id,churned\nA,yes\nB,false\n");
    expect(saved).toEqual({ A: true, B: false });
    expect(result.matched).toMatchObject({
      customerId: "customer_id",
      churned: "churned",
      model: null,
      churnedValue: null,
    });
  });

  test("a file in no one's words is refused naming every accepted name, the models' own included", async () => {
    const error = await refusal("CustomerId,Left_Bank\nA,1\n");
    expect(error.code).toBe("csv.missing_columns");
    expect(error.message).toBe(
      'The outcome file lacks a column saying who churned (churned, churn, has_churned, outcome, left, Exited as bank-v1 learned it, "1" = churned, Attrition_Flag as cards-v2 learned it, "Attrited Customer" = churned, Churn as telco-v1 learned it, "Yes" = churned). ' +
        'Found: "CustomerId", "Left_Bank". Rename the columns, or upload the file in one of your models\' own column names.',
    );
  });
});

describe("an upload with nothing accepted", () => {
  test("is refused, not answered as a success: every row's date is in the future", async () => {
    const error = await refusal(
      "customer_id,churned,observed_at\n7590-VHVEG,yes,2026-12-20\n5575-GNVDE,no,2026-12-20\n",
    );
    expect(error.code).toBe("outcomes.none_accepted");
    expect(error.message).toBe(
      'None of the 2 outcome rows was accepted, so nothing was saved (row 1: observed_at "2026-12-20" is in the future (after 2026-12-07): upload outcomes once they are known; ' +
        'row 2: observed_at "2026-12-20" is in the future (after 2026-12-07): upload outcomes once they are known). Fix the rows and upload the file again.',
    );
    expect(error.details).toMatchObject({
      rowsRead: 2,
      rowsRejected: 2,
      rowErrors: [
        { row: 1, customerId: "7590-VHVEG" },
        { row: 2, customerId: "5575-GNVDE" },
      ],
    });
  });
});
