#!/usr/bin/env node
// One-time set-up for a machine that has only Node and npm: bun (through npm), the workspace's
// packages, and with --for-tests what the test suite needs beyond npm (Debian's Chromium for the
// browser tests, SST's offline platform types). Safe to run again: every step checks first.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const forTests = process.argv.includes("--for-tests");

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { cwd: root, stdio: "inherit", ...options });
  if (result.status !== 0) {
    console.error(`setup: '${cmd} ${args.join(" ")}' failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

function has(cmd) {
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

if (!has("bun")) {
  console.error("setup: installing bun from the npm registry");
  run("npm", ["install", "--global", "--no-fund", "--no-audit", "bun"]);
}
run("bun", ["install", "--frozen-lockfile"]);

if (forTests) {
  if (!existsSync("/usr/bin/chromium")) {
    if (process.getuid?.() !== 0) {
      console.error("setup: the browser tests need Chromium: run 'sudo apt-get install chromium'");
      process.exit(1);
    }
    console.error("setup: installing Debian's chromium for the browser tests");
    run("apt-get", ["update", "-qq"]);
    run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "chromium"], {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
  }
  // SST's component library and global types, for the offline deploy tests. Plain `sst` commands
  // would download Pulumi; these variables keep `sst install` to the npm registry.
  const platform = join(root, ".sst", "platform");
  if (!existsSync(join(platform, "config.d.ts")) || !existsSync(join(platform, "node_modules", "@pulumi", "aws"))) {
    console.error("setup: installing SST's platform (offline, from the npm registry)");
    run(join(root, "node_modules", ".bin", "sst"), ["install", "--stage", "dev"], {
      env: { ...process.env, SST_NO_BUN: "1", SST_SKIP_DEPENDENCY_CHECK: "1", SST_TELEMETRY_DISABLED: "1" },
    });
  }
}
