/**
 * What the scoring hook costs: the same file scored in-process on one thread with the built-in
 * model alone, with drift counting (`driftCounterFor`), and with drift and a challenger (a second
 * term-tables model of the Telco columns, tests/support/term-fixtures.ts). Runs alternate so a
 * loaded machine slows all three alike; medians and their ratios to "alone" are printed.
 *
 *   (cd packages/cli && node --import tsx ../../bench/score-extras.ts [rows=100000] [runs=5])
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable, Writable } from "node:stream";
import { driftCounterFor, loadModel, scoreCsv, type ScoreCsvOptions } from "../packages/core/src/index.ts";
import { DEFAULT_MODEL_PATH, readTelco, toCsv } from "../tests/support/telco.ts";
import { telcoTermModel, writeTermModel } from "../tests/support/term-fixtures.ts";

const rows = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 5);
const telco = readTelco();
const text = Buffer.from(
  toCsv(
    telco.headers,
    Array.from({ length: rows }, (_, i) => [`B${i}`, ...telco.rows[(i * 7919) % telco.rows.length]!.slice(1)]),
  ),
);
const dir = mkdtempSync(join(tmpdir(), "rw-bench-extras-"));
const model = await loadModel(DEFAULT_MODEL_PATH, { threads: 1 });
const challenger = await loadModel(writeTermModel(dir, telcoTermModel(telco)), { threads: 1 });

const variants: Record<string, () => Partial<ScoreCsvOptions>> = {
  alone: () => ({}),
  drift: () => ({ drift: driftCounterFor(model.card)! }),
  "drift+challenger": () => ({ drift: driftCounterFor(model.card)!, challenger }),
};
const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((name) => [name, []]));
for (let run = 0; run < runs; run++) {
  for (const [name, extras] of Object.entries(variants)) {
    const started = performance.now();
    await scoreCsv({
      input: Readable.from([text]),
      output: new Writable({ write: (_c, _e, done) => done() }),
      model,
      ...extras(),
    });
    times[name]!.push(performance.now() - started);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(times.alone!);
for (const [name, xs] of Object.entries(times))
  console.log(
    `${name.padEnd(18)} ${(median(xs) / 1000).toFixed(2)} s  (${((median(xs) / base) * 100).toFixed(0)}% of alone)  ${Math.round(rows / (median(xs) / 1000)).toLocaleString("en-US")} rows/s`,
  );
await Promise.all([model.release(), challenger.release()]);
rmSync(dir, { recursive: true, force: true });
