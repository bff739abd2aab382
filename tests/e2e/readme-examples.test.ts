/**
 * The README's curl examples, run as written against the real service (local mode, over HTTP): every
 * command line of each `sh` block that calls the API runs in bash from a folder holding the repo's
 * `tests/` and the files the README names (`customers.csv`, `history.csv`: Telco rows). Only the key
 * and the address are swapped for the service's. A `<prediction>`-style placeholder takes the id an
 * earlier answer gave (a comment `{"id":"<prediction>",…}` or `Location: /v1/models/<id>` says which),
 * once that job has finished, as a reader would wait. An answer the README shows as complete JSON
 * must match it (numbers, booleans, words and empty lists exactly; `<…>` and `…` stand for anything),
 * and no answer may be an error the README does not show.
 */
import { mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCommand } from "../support/run-command.ts";
import { startService, type RunningService } from "../support/service.ts";
import { readTelco, renameHeaders, selectColumns, toCsv } from "../support/telco.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const README_URL = "http://127.0.0.1:8080";

interface Step {
  command: string;
  /** Comment lines after the command (and its own trailing comment): expected answers, placeholders to bind. */
  notes: string[];
}

/** The `sh` blocks of the README that call the API (the others run the CLI, covered by its own tests). */
function apiBlocks(readme: string): { title: string; steps: Step[] }[] {
  const blocks: { title: string; steps: Step[] }[] = [];
  let heading = "";
  const lines = readme.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (/^#{2,3} /.test(lines[i]!)) heading = lines[i]!.replace(/^#+ /, "");
    if (lines[i] !== "```sh") continue;
    const body: string[] = [];
    for (i++; lines[i] !== "```"; i++) body.push(lines[i]!);
    if (body.some((line) => line.startsWith("curl"))) blocks.push({ title: heading, steps: stepsOf(body) });
  }
  return blocks;
}

function stepsOf(lines: string[]): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.startsWith("#") || line.trim() === "") {
      steps.at(-1)?.notes.push(line.replace(/^#\s?/, "").trim());
      continue;
    }
    let command = line;
    while (command.endsWith("\\")) command = command.slice(0, -1) + " " + lines[++i]!.trim();
    // A trailing comment is set off by spaces: `curl …   # {"id":"<prediction>",…}`.
    const [code, ...comment] = command.split(/\s{2,}#\s/);
    steps.push({ command: code!.trim(), notes: comment.length > 0 ? [comment.join(" # ").trim()] : [] });
  }
  return steps;
}

/** The JSON object or array a note starts with (after an HTTP status), or undefined when it is elided (`…`) or prose. */
function noteJson(note: string): unknown {
  const text = note.replace(/^\d{3}\s+/, "");
  if (!text.startsWith("{") && !text.startsWith("[")) return undefined;
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"' && text[i - 1] !== "\\") quoted = !quoted;
    if (quoted) continue;
    if (ch === "{" || ch === "[") depth++;
    if (ch === "}" || ch === "]") depth--;
    if (depth === 0) {
      try {
        return JSON.parse(text.slice(0, i + 1));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Every part of `expected` is in `actual`: strings that are not placeholders, numbers, booleans and empty lists as written. */
function expectShown(actual: unknown, expected: unknown, path: string): void {
  if (typeof expected === "string" && (/^<.*>$/.test(expected) || expected.includes("…"))) return;
  if (Array.isArray(expected)) {
    expect(Array.isArray(actual), `${path} is a list`).toBe(true);
    if (expected.length === 0) expect(actual, path).toEqual([]);
    expected.forEach((item, i) => {
      expectShown((actual as unknown[])[i], item, `${path}[${i}]`);
    });
    return;
  }
  if (expected !== null && typeof expected === "object") {
    expect(actual !== null && typeof actual === "object", `${path} is an object`).toBe(true);
    for (const [key, value] of Object.entries(expected))
      expectShown((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  expect(actual, path).toEqual(expected);
}

let service: RunningService;
let key: string;
let dir: string;

beforeAll(async () => {
  service = await startService("local");
  key = await service.key("readme");
  dir = await mkdtemp(join(tmpdir(), "rw-readme-"));
  await symlink(join(ROOT, "tests"), join(dir, "tests"));
  // The reader's own files, as the README names them: customers to score, labeled history to train on.
  const telco = readTelco();
  const unlabeled = selectColumns(
    telco,
    telco.headers.filter((h) => h !== "Churn"),
  );
  await writeFile(join(dir, "customers.csv"), toCsv(unlabeled.headers, unlabeled.rows));
  const history = renameHeaders(telco, { Churn: "churned" });
  await writeFile(join(dir, "history.csv"), toCsv(history.headers, history.rows));
}, 180_000);

afterAll(async () => {
  await service?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const blocks = apiBlocks(await readFile(join(ROOT, "README.md"), "utf8"));
/** `KEY=…` and the like, kept from block to block in README order, as in the reader's one shell. */
const assignments: string[] = [];

describe("the README's sample output", () => {
  test("is what `retainwise score` writes for those customers, with the --actionable columns it names", async () => {
    const readme = await readFile(join(ROOT, "README.md"), "utf8");
    const sample = /```\n(customer_id,churn_probability[^\n]*)\n([\s\S]*?)```/.exec(readme);
    expect(sample).not.toBeNull();
    const out = join(dir, "sample-scored.csv");
    const run = await bash(
      `node ${join(ROOT, "packages/cli/bin/retainwise.mjs")} score tests/fixtures/telco-churn.csv -o ${out} --actionable Contract --actionable PaymentMethod`,
    );
    expect(run.status, run.stderr).toBe(0);
    const scored = (await readFile(out, "utf8")).split("\n");
    expect(scored[0]).toBe(sample![1]);
    for (const line of sample![2]!.trimEnd().split("\n")) expect(scored).toContain(line);
  });
});

describe("the README's API examples run as written", () => {
  test("there are examples to run", () => {
    expect(blocks.map((b) => b.title)).toEqual(
      expect.arrayContaining(["Score a file", "Train on your own data", "Close the loop"]),
    );
  });

  test.each(blocks.map((b) => [b.title, b] as const))(
    "%s",
    async (_title, { steps }) => {
      /** Placeholder -> its id, and the job to wait for before it is used. */
      const bound = new Map<string, { id: string; job: string | null }>();
      for (const step of steps) {
        const command = await substitute(step.command, bound);
        if (/^[A-Z]+=/.test(command)) {
          assignments.push(command);
          continue;
        }
        const run = await bash([...assignments, command].join("\n"));
        expect(run.status, `${step.command}\n${run.stderr}`).toBe(0);
        // Commands that write a file (`-o scored.csv`, `printf … > outcomes.csv`) answer nothing to compare.
        if (!command.startsWith("curl") || run.stdout.trim() === "") continue;
        const answer = JSON.parse(run.stdout) as Record<string, unknown>;
        const shown = step.notes.map(noteJson).filter((json) => json !== undefined);
        if (!step.notes.some((note) => note.includes('"error"')))
          expect(answer.error ?? null, `${step.command} answered an error`).toBeNull();
        for (const expected of shown) expectShown(answer, expected, step.command);
        bindPlaceholders(step, answer, bound);
      }
    },
    600_000,
  );
});

/** Asynchronously: the service answers from this process, so a blocking spawn would starve it. */
function bash(script: string) {
  return runCommand("bash", ["-c", script], { cwd: dir, timeoutMs: 60_000 });
}

/** `{"id":"<prediction>",…}` or `Location: /v1/models/<id>` in a step's notes binds the placeholder to the answer's id. */
function bindPlaceholders(
  step: Step,
  answer: Record<string, unknown>,
  bound: Map<string, { id: string; job: string | null }>,
): void {
  for (const note of step.notes) {
    for (const [, field, name] of note.matchAll(/"(\w+)":"<([a-z ]+)>"/g)) {
      if (typeof answer[field!] === "string" && !bound.has(name!))
        bound.set(name!, { id: answer[field!] as string, job: field === "id" ? jobOf(step.command) : null });
    }
    const location = /Location: \/v1\/(\w+)\/<([a-z ]+)>/.exec(note);
    if (location && typeof answer.id === "string") bound.set(location[2]!, { id: answer.id, job: location[1]! });
  }
}

/** `predictions` or `models`: what a POST created, to wait for. */
function jobOf(command: string): string | null {
  return /\/v1\/predictions|\$API\/predictions/.test(command)
    ? "predictions"
    : /\/v1\/models|\$API\/models/.test(command)
      ? "models"
      : null;
}

/** The README's key and address swapped for the service's; each placeholder for its id, once its job is done. */
async function substitute(command: string, bound: Map<string, { id: string; job: string | null }>): Promise<string> {
  let result = command.replaceAll("rw_...", key).replaceAll(README_URL, service.url);
  for (const [, name] of command.matchAll(/<([a-z ]+)>/g)) {
    const value = bound.get(name!);
    expect(value, `<${name}> in "${command}" is given by no earlier answer`).toBeDefined();
    if (value!.job === "predictions") await service.waitFor(value!.id, key, "COMPLETED");
    if (value!.job === "models") await service.waitForModel(value!.id, key, "READY");
    result = result.replaceAll(`<${name}>`, value!.id);
  }
  return result;
}
