import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "tests/**/*.test.ts"],
    // One embedded PostgreSQL per run; test files get their own database (tests/support/postgres.ts).
    globalSetup: ["tests/support/postgres-global-setup.ts"],
    // Native addons (onnxruntime, embedded PostgreSQL children) are happier in forked processes.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
