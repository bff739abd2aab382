/**
 * `.sst/platform` (SST's component library and the global types `sst.config.ts` compiles against)
 * is written by `sst install`, which `npm test` runs offline before the suite (scripts/setup.mjs).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";

export const ROOT = join(import.meta.dirname, "..", "..");
export const PLATFORM = join(ROOT, ".sst", "platform");

export function requireSstPlatform(): void {
  if (existsSync(join(PLATFORM, "config.d.ts")) && existsSync(join(PLATFORM, "node_modules", "@pulumi", "aws"))) return;
  throw new Error(
    "SST's platform is not installed in .sst/platform: run `node scripts/setup.mjs --for-tests` (npm test does).",
  );
}
