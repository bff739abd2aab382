/**
 * The README's two commands: each is a script of package.json, and CI (`.ci/run`) runs exactly the
 * one that runs the tests, so what a newcomer runs is what CI runs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** The commands of the README's "The two commands" block, without their comments. */
function twoCommands(): string[] {
  const section = /## The two commands\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(read("README.md"));
  expect(section, "README has a 'The two commands' section with a sh block").not.toBeNull();
  return section![1]!
    .trim()
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim());
}

test("the README's two commands run the product and the tests, as package.json scripts", () => {
  expect(twoCommands()).toEqual(["npm run local", "npm test"]);
  const scripts = JSON.parse(read("package.json")).scripts as Record<string, string>;
  expect(scripts.local).toContain("retainwise.mjs local");
  expect(scripts.test).toContain("scripts/test.mjs");
});

test(".ci/run runs exactly the README's test command", () => {
  const commands = read(".ci/run")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  expect(commands.at(-1)).toBe(twoCommands()[1]);
  expect(commands.filter((line) => /\b(npm|npx|node|vitest|bun)\b/.test(line))).toEqual([twoCommands()[1]]);
});
