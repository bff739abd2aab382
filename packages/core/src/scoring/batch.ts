import {
  DELIMITERS,
  detectNumberFormat,
  headRecords,
  isUnreadable,
  numberProblem,
  parseNumber,
  resolveColumns,
  type CsvSource,
  type Delimiter,
  type NumberFormat,
} from "../csv/index.ts";
import { customerIdProblem } from "../bounded-text.ts";
import type { Head } from "../csv/reader.ts";
import type { ChurnModel, FeaturesInput, ModelOutput } from "../model/churn-model.ts";
import { customerIdColumn, NO_ID_COLUMN } from "./id-column.ts";
import type { CustomerIds } from "./summary-types.ts";

export { NO_ID_COLUMN };

/** Where each model input and the customer id sit in the file's records. */
export interface Layout {
  /** The customer id column, or `NO_ID_COLUMN` (-1): each row's id is its 1-based row number. */
  idIndex: number;
  names: string[];
  inputIndexes: number[];
  numeric: boolean[];
  width: number;
  /** How this file writes numbers (decimal comma or point), decided once from its head. */
  numberFormat: NumberFormat;
}

/** `idColumn`: the column named to give customer ids (id-column.ts); by default the card's identifier, else customerID. */
export function planColumns(
  headers: string[],
  model: ChurnModel,
  numberFormat: NumberFormat,
  idColumn?: string,
): Layout {
  const resolved = resolveModelColumns(headers, model);
  return {
    idIndex: customerIdColumn(headers, model.card, idColumn),
    names: model.inputs.map((i) => i.name),
    inputIndexes: model.inputs.map((i) => resolved.get(i.name)!),
    numeric: model.inputs.map((i) => i.kind === "number"),
    width: headers.length,
    numberFormat,
  };
}

export function customerIdsOf(layout: Layout): CustomerIds {
  return layout.idIndex === NO_ID_COLUMN ? "row_number" : "column";
}

/** The file's number format, from the cells of the model's numeric inputs in the head of the file. */
export function headNumberFormat(
  head: Head,
  source: Pick<CsvSource, "headers" | "delimiter">,
  model: ChurnModel,
): NumberFormat {
  const resolved = resolveModelColumns(source.headers, model);
  const numeric = model.inputs.filter((i) => i.kind === "number").map((i) => resolved.get(i.name)!);
  return detectNumberFormat(
    headRecords(head.head, head.complete, source.delimiter).flatMap((record) => numeric.map((i) => record[i] ?? "")),
  );
}

function resolveModelColumns(headers: string[], model: ChurnModel): Map<string, number> {
  return resolveColumns(
    headers,
    model.inputs.map((i) => i.name),
  );
}

/**
 * Up to `size` records and the model's inputs for the valid ones. Allocated once per run and
 * refilled batch after batch: a fresh set of arrays per batch was garbage the collector had to
 * chase through every record.
 */
export class Batch {
  readonly records: string[][] = [];
  /** Per record: null when valid, else why the row cannot be scored. */
  readonly errors: (string | null)[] = [];
  /** Data row number (from 1) of `records[0]`. */
  firstRow = 1;
  /** Valid records, i.e. rows of the model inputs. */
  valid = 0;
  private readonly inputs: BatchInputs;

  constructor(
    private readonly layout: Layout,
    model: ChurnModel,
    readonly size: number,
    private readonly delimiter: Delimiter,
  ) {
    this.inputs = model.features
      ? new FeatureCodes(layout, model.features, size)
      : new InputColumns(layout, model, size);
  }

  /** Checks and converts the records just read into `records`. */
  fill(firstRow: number): void {
    const { records, errors, inputs, layout } = this;
    this.firstRow = firstRow;
    this.valid = 0;
    errors.length = 0;
    inputs.reset();
    for (const record of records) {
      const error = isUnreadable(record)
        ? record.unreadable
        : record.length === layout.width
          ? (idProblem(record, layout) ?? inputs.fill(record, this.valid))
          : raggedRow(record, layout.width, this.delimiter);
      if (error === null) this.valid++;
      errors.push(error);
    }
  }

  /** Runs the model on the valid rows (call only when there are some). */
  score(): Promise<ModelOutput> {
    return this.inputs.run(this.valid);
  }

  /** The valid rows' feature codes, row-major [valid, inputs], for a term-tables model; undefined otherwise. */
  features(): Float32Array | undefined {
    return this.inputs instanceof FeatureCodes ? this.inputs.filled(this.valid) : undefined;
  }
}

/** The model inputs of a batch's valid rows, in the shape the model takes them. */
interface BatchInputs {
  reset(): void;
  /** Writes the record's inputs as valid row `at`; returns why it cannot, or null (then nothing of the row is kept). */
  fill(record: readonly string[], at: number): string | null;
  run(rows: number): Promise<ModelOutput>;
}

/**
 * A term-tables model's one `features` tensor, row-major [rows, inputs]: numbers as read with the
 * file's number format, categorical cells through the model's coders (a Map lookup), written where
 * they go without an intermediate column of strings.
 */
class FeatureCodes implements BatchInputs {
  private readonly codes: Float32Array;
  private readonly width: number;

  constructor(
    private readonly layout: Layout,
    private readonly model: FeaturesInput,
    size: number,
  ) {
    this.width = layout.inputIndexes.length;
    this.codes = new Float32Array(size * this.width);
  }

  reset(): void {}

  fill(record: readonly string[], at: number): string | null {
    const { layout, codes, width } = this;
    const { inputIndexes, numberFormat } = layout;
    const coders = this.model.coders;
    for (let i = 0, to = at * width; i < width; i++, to++) {
      const cell = record[inputIndexes[i]!]!;
      const coder = coders[i];
      if (coder !== undefined) {
        codes[to] = coder(cell);
        continue;
      }
      const value = parseNumber(cell, numberFormat);
      if (value === undefined) return notANumber(layout, i, cell);
      codes[to] = value;
    }
    return null;
  }

  run(rows: number): Promise<ModelOutput> {
    return this.model.run(this.filled(rows), rows);
  }

  filled(rows: number): Float32Array {
    return this.codes.subarray(0, rows * this.width);
  }
}

/** One column per model input (bring-your-own models): Float32Array (NaN = blank) or trimmed strings. */
class InputColumns implements BatchInputs {
  private readonly columns: (Float32Array | string[])[];

  constructor(
    private readonly layout: Layout,
    private readonly model: ChurnModel,
    size: number,
  ) {
    this.columns = layout.numeric.map((numeric) => (numeric ? new Float32Array(size) : []));
  }

  reset(): void {
    for (const column of this.columns) if (!(column instanceof Float32Array)) column.length = 0;
  }

  /** A string column grows by one: rows arrive in order, so it stays a packed array. */
  fill(record: readonly string[], at: number): string | null {
    const { layout, columns } = this;
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
        return notANumber(layout, i, cell);
      }
      (column as Float32Array)[at] = value;
    }
    return null;
  }

  run(rows: number): Promise<ModelOutput> {
    const feeds: Record<string, Float32Array | string[]> = {};
    this.layout.names.forEach((name, i) => {
      const column = this.columns[i]!;
      feeds[name] = column instanceof Float32Array ? column.subarray(0, rows) : column;
    });
    return this.model.run(feeds, rows);
  }
}

/**
 * An id the database could not store (customerIdProblem) fails its row before the model sees it:
 * the rest of the file scores, and the scores file, which only holds scored rows, never carries it.
 */
function idProblem(record: readonly string[], layout: Layout): string | null {
  if (layout.idIndex === NO_ID_COLUMN) return null;
  const problem = customerIdProblem((record[layout.idIndex] ?? "").trim());
  return problem === null ? null : `${problem}: shorten it, or name the id column with ?idColumn=`;
}

function notANumber(layout: Layout, input: number, cell: string): string {
  return `${layout.names[input]} "${truncate(cell.trim())}" ${numberProblem(cell, layout.numberFormat)}`;
}

function raggedRow(record: readonly string[], expected: number, delimiter: Delimiter): string {
  const found = record.length;
  const fields = `the row has ${found} field${found === 1 ? "" : "s"} but the header has ${expected}`;
  // A file glued from two exports: the row splits into the header's width at another delimiter.
  const line = found < expected ? record.join(delimiter) : "";
  const other = DELIMITERS.find((d) => d !== delimiter && line.split(d).length === expected);
  return other
    ? `${fields}: the delimiter changes from ${showDelimiter(delimiter)} to ${showDelimiter(other)}`
    : fields;
}

function showDelimiter(delimiter: Delimiter): string {
  return delimiter === "\t" ? "tab" : `'${delimiter}'`;
}

function truncate(text: string): string {
  return text.length > 40 ? text.slice(0, 37) + "..." : text;
}
