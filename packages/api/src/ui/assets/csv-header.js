// @ts-check
// The header of a CSV read in the browser, before any upload, so the training form can offer the
// file's columns. Only the first 64 KiB are read (`file.slice`): a 2 GB export costs nothing.
// Same rules as the server's sniffer (packages/core/src/csv/sniff.ts): delimiters , ; tab | with
// ties going to the earlier one, picked by count outside quotes on the header line.

/** Delimiters the server accepts, in the order it prefers them on a tie. */
export const DELIMITERS = [",", ";", "\t", "|"];

/** As much as the server sniffs (SNIFF_BYTES): a header row and a few hundred records. */
export const HEAD_BYTES = 64 * 1024;

/**
 * The file's columns and the records that fit in its head (the last, possibly cut, record dropped).
 * @param {Blob} file
 * @returns {Promise<{delimiter: string, columns: string[], rows: string[][]}>}
 */
export async function readHeader(file) {
  const complete = file.size <= HEAD_BYTES;
  const text = (await file.slice(0, HEAD_BYTES).text()).replace(/^\uFEFF/, "");
  const delimiter = pickDelimiter(firstLine(text));
  const records = parseRecords(text, delimiter);
  if (!complete) records.pop();
  const [header = [], ...rows] = records;
  return { delimiter, columns: header.map((h) => h.trim()), rows };
}

/**
 * The distinct non-blank values of one column in `rows`, most frequent first.
 * @param {string[][]} rows @param {number} column
 * @returns {{value: string, count: number}[]}
 */
export function valuesOf(rows, column) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const row of rows) {
    const value = (row[column] ?? "").trim();
    if (value) counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count);
}

/** The header line, without breaking on newlines inside quotes. @param {string} text */
function firstLine(text) {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) return text.slice(0, i);
  }
  return text;
}

/** @param {string} line */
function pickDelimiter(line) {
  const counts = new Map(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, /** @type {number} */ (counts.get(ch)) + 1);
  }
  let best = ",";
  for (const d of DELIMITERS)
    if (/** @type {number} */ (counts.get(d)) > /** @type {number} */ (counts.get(best))) best = d;
  return best;
}

/**
 * RFC 4180 records: quoted fields may hold delimiters, newlines and doubled quotes; blank lines are
 * skipped as the server skips them.
 * @param {string} text @param {string} delimiter @returns {string[][]}
 */
function parseRecords(text, delimiter) {
  /** @type {string[][]} */
  const records = [];
  /** @type {string[]} */
  let record = [];
  let field = "";
  let quoted = false;
  const endRecord = () => {
    record.push(field);
    if (record.length > 1 || record[0] !== "") records.push(record);
    record = [];
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === delimiter) {
      record.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRecord();
    } else field += ch;
  }
  if (field !== "" || record.length > 0) endRecord();
  return records;
}
