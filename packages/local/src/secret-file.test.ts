import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { readOrCreateSecret } from "./secret-file.ts";

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "rw-secret-"));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

test("the secret is created once, private to its owner, and the same on every later read", async () => {
  const file = path.join(dir, "nested", "signing-secret");
  const concurrent = await Promise.all(Array.from({ length: 20 }, () => readOrCreateSecret(file)));
  expect(new Set(concurrent).size).toBe(1);
  expect(concurrent[0]).toMatch(/^[0-9a-f]{64}$/);
  expect(await readOrCreateSecret(file)).toBe(concurrent[0]);
  expect((await fs.stat(file)).mode & 0o077).toBe(0);
});
