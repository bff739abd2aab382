import { listWithMore } from "../bounded-text.ts";
import {
  assertNoDuplicateHeaders,
  closestHeaders,
  COLUMN_ALIASES,
  CUSTOMER_ID,
  findColumn,
  normalizeHeader,
} from "../csv/columns.ts";
import { RetainwiseError } from "../errors.ts";
import type { ModelCard } from "../model/card.ts";
import { cardIdentifiers } from "../scoring/id-column.ts";

/**
 * A model's own words for an outcome: the label column it learned from and the value that meant
 * churned there, and the columns that identify its customers. An outcome file in those words
 * (`CustomerId,Exited` with `1` = churned for a bank model) is read as `customer_id,churned`.
 */
export interface OutcomeVocabulary {
  /** `bank-v1`: named in the answer and in messages. */
  model: string;
  labelColumn: string;
  churnedValue: string;
  idColumns: string[];
}

/** The vocabulary of a model with this card (its label, as trained, and its identifier columns). */
export function outcomeVocabulary(model: string, card: ModelCard): OutcomeVocabulary {
  return { model, labelColumn: card.label.column, churnedValue: card.label.positive, idColumns: cardIdentifiers(card) };
}

/** The column names an outcome file may use, for the Outcomes page and the refusal alike. */
export interface AcceptedOutcomeColumns {
  customerId: string[];
  churned: string[];
  observedAt: string[];
  /** The account's models' labels: the column, the value meaning churned, the model. */
  labels: { column: string; churnedValue: string; model: string }[];
}

export function acceptedOutcomeColumns(vocabularies: readonly OutcomeVocabulary[]): AcceptedOutcomeColumns {
  const generic = [CUSTOMER_ID, ...COLUMN_ALIASES[CUSTOMER_ID]!];
  const customerId = unique([...generic, ...vocabularies.flatMap((v) => v.idColumns)]);
  const labels = vocabularies
    .filter(
      (v, i) =>
        vocabularies.findIndex(
          (w) => normalizeHeader(w.labelColumn) === normalizeHeader(v.labelColumn) && w.churnedValue === v.churnedValue,
        ) === i,
    )
    .map((v) => ({ column: v.labelColumn, churnedValue: v.churnedValue, model: v.model }));
  return {
    customerId,
    churned: ["churned", ...COLUMN_ALIASES.churned!],
    observedAt: ["observed_at", ...COLUMN_ALIASES.observedAt!],
    labels,
  };
}

/** Where an outcome file's columns are, and which words matched (the upload's answer says so). */
export interface OutcomeLayout {
  id: number;
  churned: number;
  observedAt: number | undefined;
  width: number;
  /** The model whose label column matched, with the value meaning churned; null: a generic `churned` column. */
  label: { model: string; churnedValue: string } | null;
}

/**
 * Finds the outcome columns: the customer id as `customerID` or an alias, else a model's identifier
 * column; what happened as `churned` or an alias, else a model's label column (the newest model
 * first, as `vocabularies` lists them). A missing one is `csv.missing_columns` naming every accepted
 * name, the models' own included.
 */
export function outcomeLayout(headers: readonly string[], vocabularies: readonly OutcomeVocabulary[]): OutcomeLayout {
  assertNoDuplicateHeaders(headers);
  const id =
    findColumn(headers, CUSTOMER_ID) ??
    firstFound(
      headers,
      vocabularies.flatMap((v) => v.idColumns),
    );
  const generic = findColumn(headers, "churned");
  const labelled =
    generic === undefined ? vocabularies.find((v) => findColumn(headers, v.labelColumn) !== undefined) : undefined;
  // A generic column named as a model learned it (`Churn`) also takes that model's churned value.
  const same =
    generic === undefined
      ? labelled
      : vocabularies.find((v) => normalizeHeader(v.labelColumn) === normalizeHeader(headers[generic]!));
  const churned = generic ?? (labelled && findColumn(headers, labelled.labelColumn));
  if (id === undefined || churned === undefined)
    throw missingOutcomeColumns(headers, vocabularies, { id: id === undefined, churned: churned === undefined });
  return {
    id,
    churned,
    observedAt: findColumn(headers, "observedAt"),
    width: headers.length,
    label: same ? { model: same.model, churnedValue: same.churnedValue } : null,
  };
}

function firstFound(headers: readonly string[], names: readonly string[]): number | undefined {
  for (const name of names) {
    const index = findColumn(headers, name);
    if (index !== undefined) return index;
  }
  return undefined;
}

function missingOutcomeColumns(
  headers: readonly string[],
  vocabularies: readonly OutcomeVocabulary[],
  missing: { id: boolean; churned: boolean },
): RetainwiseError {
  const accepted = acceptedOutcomeColumns(vocabularies);
  // A typo (`churnd`) is named next to what it was meant to be.
  const closest = (names: readonly string[]) => {
    const close = unique(names.flatMap((name) => closestHeaders(name, headers)));
    return close.length > 0 ? `; closest: ${close.map((h) => `"${h}"`).join(", ")}` : "";
  };
  const labels = accepted.labels.map((l) => `${l.column} as ${l.model} learned it, "${l.churnedValue}" = churned`);
  const wanted = [
    missing.id ? `a customer id column (${accepted.customerId.join(", ")}${closest(accepted.customerId)})` : null,
    missing.churned
      ? `a column saying who churned (${[...accepted.churned, ...labels].join(", ")}${closest([...accepted.churned, ...accepted.labels.map((l) => l.column)])})`
      : null,
  ].filter((part) => part !== null);
  const found = headers.filter((h) => h.trim() !== "").map((h) => `"${h}"`);
  return new RetainwiseError(
    "csv.missing_columns",
    `The outcome file lacks ${wanted.join(" and ")}. Found: ${found.length > 0 ? listWithMore(found) : "none"}. Rename the columns, or upload the file in one of your models' own column names.`,
  );
}

function unique(names: string[]): string[] {
  return names.filter((name, i) => names.findIndex((other) => normalizeHeader(other) === normalizeHeader(name)) === i);
}
