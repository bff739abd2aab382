#!/usr/bin/env -S node --single-threaded-gc
// Dev entry: runs the TypeScript sources through tsx. The container runs the esbuild bundle instead.
// --single-threaded-gc: on 2 cores V8's GC helper threads compete with scoring; measured ~15% faster (bench/score.mjs).
import { register } from "tsx/esm/api";
register();
await import("../src/main.ts");
