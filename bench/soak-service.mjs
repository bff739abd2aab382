// The soak's service and its faults: `retainwise local` as a child process on a fixed port and data
// directory (so it can be SIGKILLed and started again where it left off), its embedded PostgreSQL,
// and its results directory.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createWriteStream, readFileSync } from "node:fs";
import { chmod, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { root } from "./local-service.mjs";

/** Starts `retainwise local`; resolves once it prints its API key (it is ready), with how long that took. */
export async function startService({ dataDir, port, logFile, env = {} }) {
  const started = Date.now();
  const child = spawn(
    join(root, "node_modules/.bin/retainwise"),
    ["local", "--port", String(port), "--data-dir", dataDir],
    {
      env: { ...process.env, DATABASE_URL: "", RETAINWISE_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stderr.pipe(createWriteStream(logFile, { flags: "a" }));
  const exited = once(child, "exit");
  let out = "";
  child.stdout.setEncoding("utf8");
  const key = await new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = /API key: (\S+)/.exec(out);
      if (match) resolve(match[1]);
    });
    exited.then(([code]) => reject(new Error(`retainwise local exited (${code}) before it was ready; see ${logFile}`)));
  });
  return {
    child,
    key,
    readyMs: Date.now() - started,
    /** Peak resident memory of this incarnation (API, worker and its threads; PostgreSQL runs apart). */
    peakRssMb: () =>
      Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))[1]) / 1024),
    async kill(signal) {
      if (child.exitCode !== null || child.signalCode !== null) return exited;
      child.kill(signal);
      return exited;
    },
  };
}

/** SIGKILLs the postmaster and its backends (its process group), as the OOM killer would. */
export async function killPostgres(dataDir) {
  const pgdata = (
    await readFile(join(dataDir, "postgres.location"), "utf8").catch(() => join(dataDir, "postgres"))
  ).trim();
  const pid = Number((await readFile(join(pgdata, "postmaster.pid"), "utf8")).split("\n")[0]);
  process.kill(-pid, "SIGKILL");
  return pid;
}

/**
 * Makes `<dataDir>/files/results` unwritable for `seconds`: no new result directory or file can be
 * created there. As root permissions do not stop us, so the directory is made immutable (chattr +i).
 */
export async function storeOutage(dataDir, seconds) {
  const results = join(dataDir, "files", "results");
  await mkdir(results, { recursive: true });
  const asRoot = process.getuid?.() === 0;
  const restore = asRoot ? () => promisify(execFile)("chattr", ["-i", results]) : () => chmod(results, 0o700);
  await (asRoot ? promisify(execFile)("chattr", ["+i", results]) : chmod(results, 0o500));
  restoreOnExit.add(restore);
  try {
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  } finally {
    await restore();
    restoreOnExit.delete(restore);
  }
}

/** Outages still in force when the soak is interrupted are undone before it exits. */
export const restoreOnExit = new Set();

/** GET /readyz until it answers 200; resolves with the statuses seen. */
export async function untilReady(base, timeoutMs) {
  const seen = new Set();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await fetch(`${base}/readyz`).then(
      (r) => {
        r.body?.cancel();
        return r.status;
      },
      () => 0,
    );
    seen.add(status);
    if (status === 200) return seen;
    if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs / 1000} s (saw ${[...seen].join(", ")})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
