import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

const SECRET_BYTES = 32;

/**
 * A random secret kept in `file` (0600), created on first use and the same on every later start:
 * one-machine mode's download-link signing key, which must survive restarts or links handed out
 * before a restart would stop working.
 *
 * Race-free: the secret is written to a temp file first and hard-linked into place, which fails if
 * `file` exists, so concurrent first starts agree and nobody ever reads a half-written file.
 *
 * @example
 *   const signingSecret = await readOrCreateSecret(path.join(dataDir, "signing-secret"));
 */
export async function readOrCreateSecret(file: string): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const fresh = randomBytes(SECRET_BYTES).toString("hex");
  const temp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
  await fs.writeFile(temp, fresh, { mode: 0o600 });
  try {
    await fs.link(temp, file);
    return fresh;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return (await fs.readFile(file, "utf8")).trim();
  } finally {
    await fs.rm(temp, { force: true });
  }
}
