import { createRequire } from "node:module";
import { expect, test } from "vitest";

/**
 * The API process never scores, so it must not pay for onnxruntime (a native library of ~100 MB
 * of RSS and seconds of start-up): its imports use @retainwise/core's per-folder entry points,
 * none of which reaches onnxruntime-node. Vitest runs each test file in a fresh process (pool
 * "forks"), so nothing else has loaded it here.
 */
test("importing the API app does not load onnxruntime-node", async () => {
  const loaded = () => Object.keys(createRequire(import.meta.url).cache).filter((path) => path.includes("onnxruntime"));
  expect(loaded()).toEqual([]);
  const { createApp } = await import("./index.ts");
  expect(typeof createApp).toBe("function");
  expect(loaded()).toEqual([]);
});
