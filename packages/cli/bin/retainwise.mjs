#!/usr/bin/env node
// Dev entry: runs the TypeScript sources through tsx. The container runs the esbuild bundle instead.
import { register } from "tsx/esm/api";
register();
await import("../src/main.ts");
