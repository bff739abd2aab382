import { createReadStream } from "node:fs";
import { Readable, Writable } from "node:stream";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_MODEL_PATH,
  readTelco,
  renameHeaders,
  selectColumns,
  TELCO_PATH,
  TELCO_ROWS,
  toCsv,
  type Table,
} from "../../../../tests/support/telco.ts";
import { scoreText } from "../../../../tests/support/score-text.ts";
import { loadModel, type ChurnModel } from "../model/index.ts";
import { OUTPUT_COLUMNS } from "./output.ts";
import { scoreCsv } from "./score-csv.ts";

let model: ChurnModel;
let telco: Table;
/** customer id -> probability column, from scoring the plain fixture file. */
let baseline: Map<string, string>;

beforeAll(async () => {
  model = await loadModel(DEFAULT_MODEL_PATH);
  telco = readTelco();
  const { summary, output } = await scoreText(model, toCsv(telco.headers, telco.rows));
  expect(summary.rowsScored).toBe(TELCO_ROWS);
  baseline = probabilitiesById(output);
});
afterAll(() => model.release());

function probabilitiesById(output: string): Map<string, string> {
  const rows = parse(output, { columns: true }) as Record<string, string>[];
  return new Map(rows.map((r) => [r.customer_id!, r.churn_probability!]));
}

function withEmbeddedNewlines(table: Table): Table {
  // The quoted newlines go into an extra column: the model's inputs stay as they were, and the pass-through can be compared.
  return {
    headers: [...table.headers, "notes"],
    rows: table.rows.map((row, i) => [...row, `line one of ${i}\nline two, with a comma\r\nand "quotes"`]),
  };
}

/** Numeric cells written as a European Excel writes them: `56,95`, thousands as `1.889,50` or `1 889,50`, maybe with a currency. */
function excelEu(table: Table, style: { group?: string; currency?: string } = {}): string {
  const numeric = new Set(["tenure", "MonthlyCharges", "TotalCharges"].map((h) => table.headers.indexOf(h)));
  const write = (cell: string) => {
    if (cell.trim() === "") return cell;
    const [whole, fraction] = cell.split(".");
    const grouped = style.group ? whole!.replace(/\B(?=(\d{3})+$)/g, style.group) : whole;
    const amount = fraction === undefined ? grouped! : `${grouped},${fraction}`;
    return style.currency ? `${amount} ${style.currency}` : amount;
  };
  return toCsv(
    table.headers,
    table.rows.map((r) => r.map((c, i) => (numeric.has(i) ? write(c) : c))),
    { delimiter: ";", bom: true, newline: "\r\n" },
  );
}

const variants: { name: string; text: () => string | Buffer }[] = [
  { name: "a European Excel export (BOM, CRLF, semicolons, decimal commas)", text: () => excelEu(telco) },
  {
    name: "a European Excel export with `.` thousands separators and euro signs",
    text: () => excelEu(telco, { group: ".", currency: "€" }),
  },
  {
    name: "a European Excel export with space thousands separators and EUR",
    text: () => excelEu(telco, { group: " ", currency: "EUR" }),
  },
  { name: "the plain file read from disk", text: () => Buffer.from(toCsv(telco.headers, telco.rows)) },
  { name: "a semicolon-delimited file", text: () => toCsv(telco.headers, telco.rows, { delimiter: ";" }) },
  { name: "a tab-delimited file", text: () => toCsv(telco.headers, telco.rows, { delimiter: "\t" }) },
  { name: "a pipe-delimited file", text: () => toCsv(telco.headers, telco.rows, { delimiter: "|" }) },
  { name: "a file starting with a UTF-8 byte order mark", text: () => toCsv(telco.headers, telco.rows, { bom: true }) },
  { name: "a file with CRLF line endings", text: () => toCsv(telco.headers, telco.rows, { newline: "\r\n" }) },
  {
    name: "a file with a BOM, CRLF and semicolons together",
    text: () => toCsv(telco.headers, telco.rows, { bom: true, newline: "\r\n", delimiter: ";" }),
  },
  { name: "a file with every field quoted", text: () => toCsv(telco.headers, telco.rows, { quoteAll: true }) },
  {
    name: "a file with quoted fields holding newlines",
    text: () => {
      const t = withEmbeddedNewlines(telco);
      return toCsv(t.headers, t.rows);
    },
  },
  {
    name: "a file with its columns in reverse order",
    text: () => {
      const t = selectColumns(telco, [...telco.headers].reverse());
      return toCsv(t.headers, t.rows);
    },
  },
  {
    name: "a file with aliased headers (customer_id, months_subscribed, mrr, ltv, plan)",
    text: () => {
      const t = renameHeaders(telco, {
        customerID: "customer_id",
        tenure: "months_subscribed",
        MonthlyCharges: "mrr",
        TotalCharges: "ltv",
        Contract: "plan",
      });
      return toCsv(t.headers, t.rows);
    },
  },
  {
    name: "a file with spreadsheet-style headers (Customer ID, Monthly Charges, TOTAL_CHARGES, Payment-Method)",
    text: () => {
      const t = renameHeaders(telco, {
        customerID: "Customer ID",
        MonthlyCharges: "Monthly Charges",
        TotalCharges: "TOTAL_CHARGES",
        PaymentMethod: "Payment-Method",
        tenure: " Tenure ",
      });
      return toCsv(t.headers, t.rows);
    },
  },
  {
    name: "a file with extra columns the model does not use",
    text: () =>
      toCsv(
        ["region", ...telco.headers, "owner"],
        telco.rows.map((r, i) => [`r${i % 7}`, ...r, "sam, the owner"]),
      ),
  },
  {
    name: "a file without the Churn label column",
    text: () => {
      const t = selectColumns(
        telco,
        telco.headers.filter((h) => h !== "Churn"),
      );
      return toCsv(t.headers, t.rows);
    },
  },
  {
    name: "a file with padded cells",
    text: () =>
      toCsv(
        telco.headers,
        telco.rows.map((r) => r.map((c, i) => (i === 0 ? c : ` ${c} `))),
      ),
  },
];

describe("scoreCsv on the Telco fixture and its variants", () => {
  it("scores the fixture file streamed from disk with every row and a probability in [0, 1]", async () => {
    const chunks: Buffer[] = [];
    const output = new Writable({
      write(chunk, _e, done) {
        chunks.push(chunk);
        done();
      },
    });
    const summary = await scoreCsv({ input: createReadStream(TELCO_PATH), output, model });
    const rows = parse(Buffer.concat(chunks), { columns: true }) as Record<string, string>[];
    expect(summary.rowsScored).toBe(TELCO_ROWS);
    expect(summary.rowsFailed).toBe(0);
    expect(rows).toHaveLength(TELCO_ROWS);
    expect(Object.keys(rows[0]!)).toEqual([...OUTPUT_COLUMNS]);
    for (const row of rows) {
      const p = Number(row.churn_probability);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
      expect(row.error).toBe("");
    }
    expect(new Map(rows.map((r) => [r.customer_id!, r.churn_probability!]))).toEqual(baseline);
  });

  it("numbers the rows of a file without a customer id column, and its summary says so", async () => {
    const t = selectColumns(
      telco,
      telco.headers.filter((h) => h !== "customerID"),
    );
    const { summary, output } = await scoreText(model, toCsv(t.headers, t.rows));
    const rows = parse(output, { columns: true }) as Record<string, string>[];
    expect(summary).toMatchObject({ rowsScored: TELCO_ROWS, rowsFailed: 0, customerIds: "row_number" });
    expect(rows.map((r) => r.customer_id)).toEqual(telco.rows.map((_, i) => String(i + 1)));
    expect(rows.map((r) => r.churn_probability)).toEqual(telco.rows.map((r) => baseline.get(r[0]!)));
    for (const risk of summary.topRisks)
      expect(baseline.get(telco.rows[Number(risk.customerId) - 1]![0]!)).toBe(risk.probability.toFixed(4));
  });

  it("says the ids come from the file's column when it has one", async () => {
    const { summary } = await scoreText(model, toCsv(telco.headers, telco.rows.slice(0, 10)));
    expect(summary.customerIds).toBe("column");
  });

  it("reads blank TotalCharges cells as missing instead of failing the row", async () => {
    const blanks = telco.rows.filter((r) => r[19]!.trim() === "").map((r) => r[0]!);
    expect(blanks.length).toBeGreaterThan(0);
    const { output } = await scoreText(model, toCsv(telco.headers, telco.rows));
    const rows = parse(output, { columns: true }) as Record<string, string>[];
    for (const id of blanks) {
      const row = rows.find((r) => r.customer_id === id)!;
      expect(row.error).toBe("");
      expect(row.churn_probability).toMatch(/^0\.\d{4}$/);
    }
  });

  for (const variant of variants) {
    it(`gives ${variant.name} the same ${TELCO_ROWS} probabilities as the plain file`, async () => {
      const { summary, output } = await scoreText(model, variant.text());
      expect(summary.rowsFailed).toBe(0);
      expect(summary.rowsScored).toBe(TELCO_ROWS);
      expect(probabilitiesById(output)).toEqual(baseline);
    });
  }

  it("appends every input column after the scores with includeInput, values intact", async () => {
    const t = withEmbeddedNewlines(telco);
    const { summary, output } = await scoreText(model, toCsv(t.headers, t.rows, { delimiter: ";" }), {
      includeInput: true,
    });
    expect(summary.rowsScored).toBe(TELCO_ROWS);
    const rows = parse(output) as string[][];
    expect(rows[0]).toEqual([...OUTPUT_COLUMNS, ...t.headers]);
    expect(rows).toHaveLength(TELCO_ROWS + 1);
    rows.slice(1).forEach((row, i) => {
      expect(row.slice(OUTPUT_COLUMNS.length)).toEqual(t.rows[i]);
      expect(row[1]).toBe(baseline.get(t.rows[i]![0]!));
    });
  });

  it("keeps a blank TotalCharges cell blank in the pass-through columns", async () => {
    const { output } = await scoreText(model, toCsv(telco.headers, telco.rows), { includeInput: true });
    const rows = parse(output, { columns: true }) as Record<string, string>[];
    const blank = telco.rows.findIndex((r) => r[19]!.trim() === "");
    expect(rows[blank]!.TotalCharges).toBe(telco.rows[blank]![19]);
  });

  it("reports the summary counts consistently with the output rows", async () => {
    const { summary, output } = await scoreText(model, toCsv(telco.headers, telco.rows));
    const rows = parse(output, { columns: true }) as Record<string, string>[];
    const levels = { High: 0, Medium: 0, Low: 0 } as Record<string, number>;
    for (const row of rows) levels[row.risk_level!]!++;
    expect(summary.riskCounts).toEqual(levels);
    expect(summary.histogram.reduce((a, b) => a + b, 0)).toBe(TELCO_ROWS);
    expect(summary.topRisks).toHaveLength(20);
    const highest = Math.max(...rows.map((r) => Number(r.churn_probability)));
    expect(summary.topRisks[0]!.probability.toFixed(4)).toBe(highest.toFixed(4));
    expect(summary.topRisks[0]!.riskFactors.length).toBeGreaterThan(0);
  });

  it("numbers a bad row by its place in the file, however many batches came before it", async () => {
    const rows = telco.rows.slice(0, 40).map((row) => [...row]);
    rows[25]![5] = "n/a";
    const { summary, output } = await scoreText(model, toCsv(telco.headers, rows), { batchSize: 4 });
    expect(summary.rowErrors).toEqual([
      { row: 26, customerId: telco.rows[25]![0], reason: 'tenure "n/a" is not a number' },
    ]);
    expect((parse(output, { columns: true }) as Record<string, string>[])[25]!.error).toBe(
      'row 26: tenure "n/a" is not a number',
    );
  });

  it("gives the same probabilities, to the last printed digit's rounding, whatever the batch size", async () => {
    // onnxruntime's vectorised kernels sum in a batch-size-dependent order: float32 noise can flip the 4th decimal.
    const { output } = await scoreText(model, toCsv(telco.headers, telco.rows), { batchSize: 7 });
    const small = probabilitiesById(output);
    expect([...small.keys()]).toEqual([...baseline.keys()]);
    for (const [id, p] of small) expect(Math.abs(Number(p) - Number(baseline.get(id)))).toBeLessThanOrEqual(0.0001);
  });
});

describe("scoreCsv backpressure", () => {
  /** ~30 MB of Telco rows with unique ids, produced lazily so the input itself is not held in memory. */
  function generatedInput(targetBytes: number): { stream: Readable; bytes: () => number } {
    const header = telco.headers.join(",") + "\n";
    let produced = 0;
    let n = 0;
    function* lines(): Generator<Buffer> {
      yield Buffer.from(header);
      produced += header.length;
      while (produced < targetBytes) {
        const block: string[] = [];
        for (let i = 0; i < 500; i++, n++) {
          const row = telco.rows[n % telco.rows.length]!;
          block.push(`G${n},${row.slice(1).join(",")}`);
        }
        const chunk = Buffer.from(block.join("\n") + "\n");
        produced += chunk.length;
        yield chunk;
      }
    }
    return { stream: Readable.from(lines(), { objectMode: false }), bytes: () => produced };
  }

  // On threads a stream is copied to disk first (its reader is held back by the disk: parallel.test.ts), and
  // the ranges read from there, so only one thread streams the input straight into the output.
  it("never lets the reader run more than a bounded distance ahead of a slow sink", async () => {
    const input = generatedInput(30 * 1024 * 1024);
    let written = 0;
    let writes = 0;
    let worstLead = 0;
    const sink = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _e, done) {
        written += chunk.length;
        worstLead = Math.max(worstLead, input.bytes() - written);
        // Every 8th write waits a timer tick: the sink is slower than the pipeline can produce.
        if (++writes % 8 === 0) setTimeout(done, 1);
        else setImmediate(done);
      },
    });
    // An output row is longer than its input row, so without backpressure the reader races through the
    // input while the sink lags. The bound allows the batches in flight (two of 512 rows) plus the
    // parser's and streams' buffers.
    const BOUND_BYTES = 4 * 1024 * 1024;
    const summary = await scoreCsv({ input: input.stream, output: sink, model });
    expect(summary.rowsScored).toBeGreaterThan(200_000);
    expect(writes).toBeGreaterThan(50);
    expect(worstLead).toBeLessThan(BOUND_BYTES);
    // The generator was pulled, not drained up front: it finished only as the sink caught up.
    expect(input.bytes()).toBeGreaterThanOrEqual(30 * 1024 * 1024);
  }, 120_000);
});
