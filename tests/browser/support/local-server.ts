import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { freePort } from "../../support/free-port.ts";

/** A running `retainwise local`: its base URL, the API key it printed, and how to stop it. */
export interface LocalServer {
  url: string;
  apiKey: string;
  stop(): Promise<void>;
}

const CLI = new URL("../../../packages/cli/bin/retainwise.mjs", import.meta.url);
const START_TIMEOUT_MS = 90_000;

/**
 * Starts the one-machine mode as a child process on a free port with a temp data directory, and
 * resolves once it has printed its URL and API key. `databaseUrl` (optional) points it at an
 * existing Postgres instead of starting its own embedded one.
 */
export async function startLocalServer(options: { databaseUrl?: string } = {}): Promise<LocalServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "retainwise-ui-"));
  const port = await freePort();
  const env = { ...process.env, ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}) };
  const child = spawn(process.execPath, [CLI.pathname, "local", "--port", String(port), "--data-dir", dataDir], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  try {
    const { url, apiKey } = await readBanner(child, stderr);
    return { url, apiKey, stop: () => stopChild(child).then(() => rm(dataDir, { recursive: true, force: true })) };
  } catch (error) {
    await stopChild(child);
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** The banner names the URL (http://…) and the API key (on a line mentioning "key", last word). */
function readBanner(child: ChildProcess, stderr: string[]): Promise<{ url: string; apiKey: string }> {
  return new Promise((resolve, reject) => {
    let url: string | undefined;
    let apiKey: string | undefined;
    const fail = (why: string) =>
      reject(new Error(`retainwise local ${why}.\nstderr:\n${stderr.join("").slice(-4000)}`));
    const timer = setTimeout(() => fail(`printed no URL and key within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    child.once("exit", (code) => fail(`exited with code ${code} before it was ready`));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      url ??= /https?:\/\/[^\s]+/.exec(line)?.[0]?.replace(/\/$/, "");
      if (/key/i.test(line) && !/https?:/.test(line)) apiKey = line.trim().split(/\s+/).pop();
      if (url && apiKey) {
        clearTimeout(timer);
        resolve({ url, apiKey });
      }
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}
