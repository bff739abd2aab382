import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The model shipped with the program, relative to the install root. */
export const DEFAULT_MODEL_FILE = join("models", "churn-v1.onnx");

/**
 * The directory holding `models/` and `migrations/`: the repository root in development, the
 * image's /app in the container (the bundle sits in /app/dist). Found by walking up from this
 * module, so it works from the sources, the bundle and any working directory.
 */
export function installRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, DEFAULT_MODEL_FILE))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

export function defaultModelPath(): string {
  return join(installRoot(), DEFAULT_MODEL_FILE);
}

export function migrationsDir(): string {
  return join(installRoot(), "migrations");
}

/**
 * The file training threads start from (main.ts serves them): the bundle itself in the image, and
 * the tsx launcher when running from the sources.
 */
export function programEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith(".ts") ? join(dirname(here), "..", "bin", "retainwise.mjs") : here;
}

/** The file scoring threads start from: the bundle's own small one (scoring-thread.ts) in the image; from the sources, the program (main.ts serves them). */
export function scoringThreadEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith(".ts") ? programEntry() : join(dirname(here), "scoring-thread.mjs");
}
