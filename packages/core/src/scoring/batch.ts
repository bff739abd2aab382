import { CUSTOMER_ID, detectNumberFormat, headRecords, isUnreadable, numberProblem, parseNumber, resolveColumns, type CsvSource, type NumberFormat } from "../csv/index.ts";
import type { Head } from "../csv/reader.ts";
import type { ChurnModel } from "../model/churn-model.ts";

/** Where each model input and the customer id sit in the file's records. */
export interface Layout {
  idIndex: number;
  names: string[];
  inputIndexes: number[];
  numeric: boolean[];
  width: number;
  /** How this file writes numbers (decimal comma or point), decided once from its head. */
  numberFormat: NumberFormat;
}

export function planColumns(headers: string[], model: ChurnModel, numberFormat: NumberFormat): Layout {
  const resolved = resolveModelColumns(headers, model);
  return {
    idIndex: resolved.get(CUSTOMER_ID)!,
    names: model.inputs.map((i) => i.name),
    inputIndexes: model.inputs.map((i) => resolved.get(i.name)!),
    numeric: model.inputs.map((i) => i.kind === "number"),
    width: headers.length,
    numberFormat,
  };
}

/** The file's number format, from the cells of the model's numeric inputs in the head of the file. */
export function headNumberFormat(head: Head, source: Pick<CsvSource, "headers" | "delimiter">, model: ChurnModel): NumberFormat {
  const resolved = resolveModelColumns(source.headers, model);
  const numeric = model.inputs.filter((i) => i.kind === "number").map((i) => resolved.get(i.name)!);
  return detectNumberFormat(headRecords(head.head, head.complete, source.delimiter).flatMap((record) => numeric.map((i) => record[i] ?? "")));
}

function resolveModelColumns(headers: string[], model: ChurnModel): Map<string, number> {
  return resolveColumns(headers, [CUSTOMER_ID, ...model.inputs.map((i) => i.name)]);
}

/**
 * Up to `size` records and the model's inputs for the valid ones, column-wise. Allocated once per
 * run and refilled batch after batch: a fresh set of arrays per batch was garbage the collector
 * had to chase through every record.
 */
export class Batch {
  readonly records: string[][] = [];
  /** Per record: null when valid, else why the row cannot be scored. */
  readonly errors: (string | null)[] = [];
  /** Data row number (from 1) of `records[0]`. */
  firstRow = 1;
  /** Valid records, i.e. rows of the model inputs. */
  valid = 0;
  /** Per input: Float32Array (NaN = blank) or strings, `valid` long. */
  private readonly columns: (Float32Array | string[])[];

  constructor(private readonly layout: Layout, readonly size: number) {
    this.columns = layout.numeric.map((numeric) => (numeric ? new Float32Array(size) : []));
  }

  /** Checks and converts the records just read into `records`. */
  fill(firstRow: number): void {
    const { records, errors, columns, layout } = this;
    this.firstRow = firstRow;
    this.valid = 0;
    errors.length = 0;
    for (const column of columns) if (!(column instanceof Float32Array)) column.length = 0;
    for (const record of records) {
      const error = isUnreadable(record) ? record.unreadable : record.length === layout.width ? fillRow(record, layout, columns, this.valid) : raggedRow(record.length, layout.width);
      if (error === null) this.valid++;
      errors.push(error);
    }
  }

  /** The model's feeds for the valid rows, by input name. */
  feeds(): Record<string, Float32Array | string[]> {
    const feeds: Record<string, Float32Array | string[]> = {};
    this.layout.names.forEach((name, i) => {
      const column = this.columns[i]!;
      feeds[name] = column instanceof Float32Array ? column.subarray(0, this.valid) : column;
    });
    return feeds;
  }
}

/**
 * Writes the row's inputs into the columns at `at`; returns why it cannot, or null. A string column
 * grows by one: rows arrive in order, so it stays a packed array.
 */
function fillRow(record: string[], layout: Layout, columns: (Float32Array | string[])[], at: number): string | null {
  const { inputIndexes, numeric } = layout;
  for (let i = 0; i < inputIndexes.length; i++) {
    const cell = record[inputIndexes[i]!]!;
    const column = columns[i]!;
    if (!numeric[i]) {
      (column as string[]).push(cell.trim());
      continue;
    }
    const value = parseNumber(cell, layout.numberFormat);
    if (value === undefined) {
      for (let j = 0; j < i; j++) if (!numeric[j]) (columns[j] as string[]).pop();
      return `${layout.names[i]} "${truncate(cell.trim())}" ${numberProblem(cell, layout.numberFormat)}`;
    }
    (column as Float32Array)[at] = value;
  }
  return null;
}

function raggedRow(found: number, expected: number): string {
  return `the row has ${found} field${found === 1 ? "" : "s"} but the header has ${expected}`;
}

function truncate(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}
