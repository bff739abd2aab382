import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { runCommand } from "../../../tests/support/run-command.ts";
import { didYouMean, fileProblem, parseCommandLine } from "./command-line.ts";

const ENTRY = fileURLToPath(new URL("../bin/retainwise.mjs", import.meta.url));

describe("the command line", () => {
  test("a mistyped option is named with the closest one instead of Node's TypeError", () => {
    const options = { threads: { type: "string" }, output: { type: "string", short: "o" } } as const;
    expect(parseCommandLine(["in.csv", "--thread", "2"], options)).toBe(
      "unknown option --thread. Did you mean --threads?",
    );
    expect(parseCommandLine(["--colour"], options)).toBe("unknown option --colour.");
    const parsed = parseCommandLine(["in.csv", "-o", "out.csv"], options);
    expect(typeof parsed !== "string" && { values: parsed.values, positionals: parsed.positionals }).toEqual({
      values: { output: "out.csv" },
      positionals: ["in.csv"],
    });
  });

  test("a mistyped command gets the closest one", async () => {
    expect(didYouMean("scor", ["score", "train"])).toBe(" Did you mean score?");
    const run = await runCommand(process.execPath, [ENTRY, "scor", "customers.csv"], { timeoutMs: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^retainwise: unknown command 'scor'\. Did you mean score\?\n/);
  });

  test("a file that is not there is one line, not an ENOENT stack", () => {
    expect(
      fileProblem(
        Object.assign(new Error("ENOENT: no such file or directory, open 'missing.csv'"), {
          code: "ENOENT",
          path: "missing.csv",
        }),
      ),
    ).toBe("No such file or directory: missing.csv");
    expect(fileProblem(new Error("other"))).toBeUndefined();
  });
});
