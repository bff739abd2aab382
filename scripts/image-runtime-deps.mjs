#!/usr/bin/env node
// The image's one runtime dependency outside the bundle, onnxruntime-node (a native addon), and
// what it requires at run time (onnxruntime-common), copied from the workspace `bun install
// --frozen-lockfile` installed, so the image runs exactly the versions bun.lockb pins; no
// registry call at image build. Its install-time helpers (adm-zip, global-agent: downloads we
// skip) are left out, and so are binaries for other platforms than linux-x64.
// Usage: node scripts/image-runtime-deps.mjs <app dir>   (Dockerfile; tests/deploy/bundle.test.ts)
import { existsSync, realpathSync } from "node:fs";
import { cp, mkdir, readdir, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const [app] = process.argv.slice(2);
if (!app) {
  console.error("usage: node scripts/image-runtime-deps.mjs <app dir>");
  process.exit(2);
}

/**
 * The directory Node's resolution finds package `name` in from `from` (bun's isolated layout puts
 * each under node_modules/.bun/); by the lookup paths, since a package's `exports` may hide package.json.
 */
function packageDir(name, from) {
  const found = createRequire(join(from, "package.json"))
    .resolve.paths(name)
    .map((dir) => join(dir, name))
    .find((dir) => existsSync(join(dir, "package.json")));
  if (!found)
    throw new Error(`${name} is not installed where ${from} would load it: run bun install --frozen-lockfile first`);
  return realpathSync(found);
}

const onnxruntime = packageDir("onnxruntime-node", join(root, "packages", "core"));
const common = packageDir("onnxruntime-common", onnxruntime);
const modules = join(app, "node_modules");
await mkdir(modules, { recursive: true });
for (const [name, dir] of [
  ["onnxruntime-node", onnxruntime],
  ["onnxruntime-common", common],
]) {
  await rm(join(modules, name), { recursive: true, force: true });
  await cp(dir, join(modules, name), {
    recursive: true,
    dereference: true,
    filter: (source) => !source.startsWith(join(dir, "node_modules")),
  });
}
const napi = join(modules, "onnxruntime-node", "bin");
for (const version of await readdir(napi)) {
  for (const platform of await readdir(join(napi, version))) {
    for (const arch of await readdir(join(napi, version, platform))) {
      if (`${platform}/${arch}` !== "linux/x64")
        await rm(join(napi, version, platform, arch), { recursive: true, force: true });
    }
  }
}
