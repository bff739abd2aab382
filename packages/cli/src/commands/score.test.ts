import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTelco, TELCO_PATH, TELCO_ROWS, toCsv } from "../../../../tests/support/telco.ts";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const BIN = join(ROOT, "node_modules/.bin/retainwise");
const ENTRY = join(ROOT, "packages/cli/bin/retainwise.mjs");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (c: Buffer) => out.push(c));
    child.stderr.on("data", (c: Buffer) => err.push(c));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
    );
  });
}

/** One output line's fields (RFC 4180 quotes; the output has no newline inside a field). */
function fields(line: string): string[] {
  return [...line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)].map((m) =>
    m[1]!.startsWith('"') ? m[1]!.slice(1, -1).replaceAll('""', '"') : m[1]!,
  );
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "rw-score-cli-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("retainwise score", () => {
  it("scores the fixture into a file with a header and one line per customer", async () => {
    const out = join(dir, "scored.csv");
    const result = await run(BIN, ["score", TELCO_PATH, "-o", out]);
    expect(result.code).toBe(0);
    const lines = readFileSync(out, "utf8").trimEnd().split("\n");
    expect(lines).toHaveLength(TELCO_ROWS + 1);
    expect(lines[0]).toBe(
      "customer_id,churn_probability,risk_level,risk_factors,protective_factors,retention_action,model_version,error",
    );
    expect(lines[1]).toMatch(/^7590-VHVEG,0\.\d{4},(High|Medium|Low),/);
    // The shipped model goes by the service's name for it.
    expect(lines[1]).toMatch(/,telco-v1,$/);
    // stderr is a pipe here, not a terminal: no progress bar, only the one-line summary.
    expect(result.stderr).toMatch(
      /^Scored 5,626 rows \(0 failed\) in \d+\.\d s: High \d+, Medium \d+, Low \d+\. 1 column not read by the model: Churn\.\n$/,
    );
  });

  it("mentions once the columns the model does not read, and names the closest option to a mistyped one", async () => {
    const telco = readTelco();
    const extra = join(dir, "extra-columns.csv");
    writeFileSync(
      extra,
      toCsv(
        [...telco.headers, "Notes", "Region"],
        telco.rows.slice(0, 50).map((row) => [...row, "called", "EU"]),
      ),
    );
    const scored = await run(BIN, ["score", extra, "-o", join(dir, "extra-scored.csv")]);
    expect(scored.code).toBe(0);
    expect(scored.stderr).toMatch(/ 3 columns not read by the model: Churn, Notes, Region\.\n$/);
    const typo = await run(BIN, ["score", extra, "-o", join(dir, "x.csv"), "--thread", "2"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/^retainwise score: unknown option --thread\. Did you mean --threads\?\n/);
  });

  it("writes retention_action for the --actionable columns, the same on one thread and two, and refuses a column the model does not read", async () => {
    const telco = readTelco();
    // Over 8 MiB, so --threads 2 scores in ranges on two threads.
    const big = join(dir, "big-actionable.csv");
    writeFileSync(big, toCsv(telco.headers, Array.from({ length: 10 }, () => telco.rows).flat()));
    const args = (threads: string, out: string) => [
      "score",
      big,
      "-o",
      out,
      "--actionable",
      "Contract",
      "--actionable",
      "PaymentMethod",
      "--threads",
      threads,
    ];
    const [one, two] = [join(dir, "act-1.csv"), join(dir, "act-2.csv")];
    expect((await run(BIN, args("1", one))).code).toBe(0);
    expect((await run(BIN, args("2", two))).code).toBe(0);
    const text = readFileSync(one, "utf8");
    expect(readFileSync(two, "utf8")).toBe(text);
    const [header, ...lines] = text
      .trimEnd()
      .split("\n")
      .slice(0, TELCO_ROWS + 1)
      .map(fields);
    const column = header!.indexOf("retention_action");
    const actions = lines.map((r) => r[column]!).filter((a) => a !== "");
    expect(actions.length).toBeGreaterThan(TELCO_ROWS / 4);
    for (const action of actions)
      expect(action).toMatch(
        /^(Contract (One year|Two year|Month-to-month)|Payment method [A-Za-z ()]+) instead of [A-Za-z ()-]+: 0\.\d{2,4} -> 0\.\d{2,4}$/,
      );
    const unknown = await run(BIN, ["score", TELCO_PATH, "-o", join(dir, "act-x.csv"), "--actionable", "Discount"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/"Discount" is not an input of the model.*Contract/);
  });

  it("writes the scored CSV to stdout with -o -", async () => {
    const result = await run(BIN, ["score", TELCO_PATH, "-o", "-"]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(TELCO_ROWS + 1);
    expect(lines[0]!.startsWith("customer_id,churn_probability")).toBe(true);
  });

  it("exits non-zero and explains on stderr when a required column is missing", async () => {
    const telco = readTelco();
    const keep = telco.headers.map((_, i) => i).filter((i) => telco.headers[i] !== "MonthlyCharges");
    const input = join(dir, "missing.csv");
    writeFileSync(
      input,
      toCsv(
        keep.map((i) => telco.headers[i]!),
        telco.rows.slice(0, 10).map((r) => keep.map((i) => r[i]!)),
      ),
    );
    const result = await run(BIN, ["score", input, "-o", join(dir, "never.csv")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("retainwise score: The file is missing a required column: MonthlyCharges");
    expect(result.stderr).toContain("Required columns:");
  });

  it("keeps an earlier output file and leaves no partial file when scoring fails", async () => {
    const input = join(dir, "binary.csv");
    writeFileSync(input, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]));
    const out = join(dir, "previous.csv");
    writeFileSync(out, "an earlier good result\n");
    const result = await run(BIN, ["score", input, "-o", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("not a UTF-8 text CSV");
    expect(readFileSync(out, "utf8")).toBe("an earlier good result\n");
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it("explains a file that fails after scoring began (a header and no rows) instead of crashing", async () => {
    const input = join(dir, "header-only.csv");
    writeFileSync(
      input,
      "customerID,gender,SeniorCitizen,Partner,Dependents,tenure,PhoneService,MultipleLines,InternetService,OnlineSecurity,OnlineBackup,DeviceProtection,TechSupport,StreamingTV,StreamingMovies,Contract,PaperlessBilling,PaymentMethod,MonthlyCharges,TotalCharges\n",
    );
    const out = join(dir, "header-only-scored.csv");
    const result = await run(BIN, ["score", input, "-o", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      "retainwise score: The file has a header row but no customer rows. Add one row per customer below the header.\n",
    );
    expect(existsSync(out) || existsSync(`${out}.partial`)).toBe(false);
  });

  it("exits non-zero with a readable message when the input file does not exist", async () => {
    const result = await run(BIN, ["score", join(dir, "absent.csv"), "-o", join(dir, "never.csv")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`retainwise score: No such file or directory: ${join(dir, "absent.csv")}\n`);
  });

  it("exits 1 with one line when the output's directory does not exist", async () => {
    const result = await run(BIN, ["score", TELCO_PATH, "-o", join(dir, "missing-dir", "out.csv")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`retainwise score: No such file or directory: ${join(dir, "missing-dir", "out.csv")}\n`);
  });

  it("stops quietly with exit 0 when the reader of -o - goes away (| head)", async () => {
    const result = await run("bash", ["-c", `set -o pipefail; "${BIN}" score "${TELCO_PATH}" -o - | head -n 3`]);
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")).toHaveLength(4);
    expect(result.stderr).toBe("");
  });

  it("says in its summary that rows are numbered when the file has no customer id column", async () => {
    const telco = readTelco();
    const input = join(dir, "no-ids.csv");
    writeFileSync(
      input,
      toCsv(
        telco.headers.slice(1),
        telco.rows.slice(0, 40).map((r) => r.slice(1)),
      ),
    );
    const result = await run(BIN, ["score", input, "-o", join(dir, "no-ids-scored.csv")]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("The file has no customer id column: customer_id is the row number.");
  });

  it("takes customer_id from the column named with --id-column, and fails naming the closest columns when the file lacks it", async () => {
    const telco = readTelco();
    const input = join(dir, "account-refs.csv");
    const headers = ["Account Ref", ...telco.headers.slice(1)];
    writeFileSync(
      input,
      toCsv(
        headers,
        telco.rows.slice(0, 40).map((r, i) => [`A-${1000 + i}`, ...r.slice(1)]),
      ),
    );
    const out = join(dir, "account-refs-scored.csv");
    const named = await run(BIN, ["score", input, "-o", out, "--id-column", "account_ref"]);
    expect(named.code).toBe(0);
    expect(readFileSync(out, "utf8").split("\n")[1]).toMatch(/^A-1000,0\.\d{4},/);
    expect(named.stderr).not.toContain("customer_id is the row number");
    const missing = await run(BIN, ["score", input, "-o", join(dir, "never.csv"), "--id-column", "Account Reff"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /^retainwise score: The file has no column "Account Reff" to take customer ids from \(closest: "Account Ref"\)\./,
    );
    expect(existsSync(join(dir, "never.csv"))).toBe(false);
  });

  it("exits 2 with the usage when -o is missing", async () => {
    const result = await run(BIN, ["score", TELCO_PATH]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("an input file and -o <output> are required");
  });

  it("exits 2 naming --threads when it is not a whole number from 1 to 64", async () => {
    const result = await run(BIN, ["score", TELCO_PATH, "-o", join(dir, "never.csv"), "--threads", "0"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--threads must be a whole number from 1 to 64, got "0"');
  });

  it("prints its usage and options with --help", async () => {
    const result = await run(BIN, ["score", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: retainwise score <input.csv> -o <output.csv|->");
    expect(result.stdout).toContain("--include-input");
    expect(result.stdout).toContain("--max-bad-rows");
    expect(result.stdout).toContain("--threads");
  });
});

describe("retainwise score under a small heap", () => {
  const ROWS = 400_000;
  const HEAP_MB = 48;
  let input: string;

  beforeAll(async () => {
    const telco = readTelco();
    input = join(dir, "large.csv");
    const file = createWriteStream(input);
    file.write(telco.headers.join(",") + "\n");
    for (let n = 0; n < ROWS; n += 1000) {
      const block: string[] = [];
      for (let i = n; i < n + 1000; i++) block.push(`M${i},${telco.rows[i % telco.rows.length]!.slice(1).join(",")}`);
      if (!file.write(block.join("\n") + "\n")) await new Promise<void>((r) => file.once("drain", () => r()));
    }
    await new Promise<void>((resolve, reject) => file.end((e?: Error | null) => (e ? reject(e) : resolve())));
    expect(statSync(input).size).toBeGreaterThan(HEAP_MB * 1024 * 1024);
  });

  it.each([1, 2])(
    `scores ${ROWS.toLocaleString("en-US")} rows (~54 MB) in a child with --max-old-space-size=${HEAP_MB} on %i thread(s)`,
    async (threads) => {
      const out = join(dir, `large-scored-${threads}.csv`);
      const result = await run(process.execPath, [
        `--max-old-space-size=${HEAP_MB}`,
        ENTRY,
        "score",
        input,
        "-o",
        out,
        "--threads",
        String(threads),
      ]);
      expect(result.stderr).not.toContain("heap out of memory");
      expect(result.code).toBe(0);
      const text = readFileSync(out, "utf8");
      let lines = 0;
      for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) lines++;
      expect(lines).toBe(ROWS + 1);
      expect(text.slice(text.lastIndexOf("\n", text.length - 2) + 1).startsWith(`M${ROWS - 1},`)).toBe(true);
    },
    180_000,
  );
});
