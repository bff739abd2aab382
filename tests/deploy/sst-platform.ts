/**
 * `.sst/platform` (SST's component library and the global types `sst.config.ts` compiles against)
 * is written by `sst install`, offline through the npm registry with these variables (plain `sst`
 * commands would try to download Pulumi). A fresh clone has none: the first deploy test makes it.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const PLATFORM = join(ROOT, ".sst", "platform");

export function ensureSstPlatform(): void {
  if (existsSync(join(PLATFORM, "config.d.ts")) && existsSync(join(PLATFORM, "node_modules", "@pulumi", "aws"))) return;
  const result = spawnSync(join(ROOT, "node_modules", ".bin", "sst"), ["install", "--stage", "dev"], {
    cwd: ROOT,
    env: { ...process.env, SST_NO_BUN: "1", SST_SKIP_DEPENDENCY_CHECK: "1", SST_TELEMETRY_DISABLED: "1" },
    encoding: "utf8",
    timeout: 240_000,
  });
  if (result.status !== 0) throw new Error(`sst install failed (${result.status ?? result.signal}): ${result.stderr || result.stdout}`);
}
