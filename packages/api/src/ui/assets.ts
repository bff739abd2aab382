import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";

/** One static file of the UI, held in memory with what a response needs. */
export interface Asset {
  body: string;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/**
 * Reads every servable file of `dir` once (the UI is ~30 KB in all, so memory is cheaper than a
 * disk read per request). Throws at start-up, naming the folder, when it is missing: a bundle
 * shipped without its assets should fail loudly, not serve blank pages.
 */
export function loadAssets(dir: string): Map<string, Asset> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (cause) {
    throw new Error(`Web UI assets not found in ${dir}: copy packages/api/src/ui/assets there.`, { cause });
  }
  const assets = new Map<string, Asset>();
  for (const name of names) {
    const contentType = CONTENT_TYPES[extname(name)];
    if (!contentType) continue;
    const body = readFileSync(join(dir, name), "utf8");
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`;
    assets.set(name, { body, contentType, etag });
  }
  return assets;
}
