/**
 * The Telco fixture as a table, and a writer for the CSV dialects customers upload (delimiters,
 * BOM, CRLF, quoting), so tests derive their variants from one real file instead of checking in copies.
 *
 *   const telco = readTelco();
 *   const text = toCsv(telco.headers, telco.rows, { delimiter: ";", bom: true, newline: "\r\n" });
 */
import { createWriteStream, readFileSync } from "node:fs";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export const TELCO_PATH = fileURLToPath(new URL("../fixtures/telco-churn.csv", import.meta.url));
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL("../../models/churn-v1.onnx", import.meta.url));
/** Data rows in the fixture (header excluded). */
export const TELCO_ROWS = 5626;

export interface Table {
  headers: string[];
  rows: string[][];
}

/** The fixture has no quoted fields (checked: no `"` in the file), so a split is an exact parse. */
export function readTelco(): Table {
  const [header, ...lines] = readFileSync(TELCO_PATH, "utf8").trimEnd().split("\n");
  return { headers: header!.split(","), rows: lines.map((line) => line.split(",")) };
}

export interface CsvDialect {
  delimiter?: string;
  newline?: string;
  bom?: boolean;
  /** Quote every field, not only those that need it. */
  quoteAll?: boolean;
}

export function toCsv(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  dialect: CsvDialect = {},
): string {
  const { delimiter = ",", newline = "\n", bom = false, quoteAll = false } = dialect;
  const quote = (cell: string) =>
    quoteAll || cell.includes(delimiter) || /["\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
  const lines = [headers, ...rows].map((row) => row.map(quote).join(delimiter));
  return (bom ? "\uFEFF" : "") + lines.join(newline) + newline;
}

/** A copy of the table with the columns in a new order (by header name). */
export function selectColumns(table: Table, order: readonly string[]): Table {
  const indexes = order.map((name) => {
    const index = table.headers.indexOf(name);
    if (index < 0) throw new Error(`no column ${name}`);
    return index;
  });
  return { headers: [...order], rows: table.rows.map((row) => indexes.map((i) => row[i]!)) };
}

/** A copy of the table with some headers renamed (old -> new). */
export function renameHeaders(table: Table, renames: Record<string, string>): Table {
  return { headers: table.headers.map((h) => renames[h] ?? h), rows: table.rows };
}

/** The Telco rows repeated with fresh ids: realistic values, any size. */
export async function writeTelcoRows(path: string, rows: number): Promise<void> {
  const [header, ...records] = (await readFile(TELCO_PATH, "utf8")).trimEnd().split("\n");
  const out = createWriteStream(path);
  out.write(header + "\n");
  for (let i = 0; i < rows; i++) {
    const record = records[i % records.length]!;
    if (!out.write(`C${i}${record.slice(record.indexOf(","))}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}
