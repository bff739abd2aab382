/**
 * `retainwise worker` as a real process on a job harness's database and files, with short
 * timeouts so crash recovery takes seconds. Kill what you start (afterAll: `stopAll()`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import type { JobHarness } from "./job-harness.ts";

const BIN = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "retainwise");

export interface WorkerProcesses {
  /** `stderr: "pipe"` to read the worker's log lines (child.stderr). */
  start(env?: Record<string, string>, options?: { stderr?: "inherit" | "pipe" }): ChildProcess;
  /** SIGKILLs every worker still running and resolves once they have exited. */
  stopAll(): Promise<void>;
}

export function workerProcesses(h: () => JobHarness): WorkerProcesses {
  const children: ChildProcess[] = [];
  return {
    start(env = {}, options = {}) {
      const child = spawn(BIN, ["worker"], {
        env: {
          ...process.env,
          RETAINWISE_MODE: "local",
          DATABASE_URL: h().db.url,
          RETAINWISE_DATA_DIR: h().dataDir,
          RETAINWISE_VISIBILITY_SECONDS: "3",
          RETAINWISE_STALE_AFTER_SECONDS: "2",
          RETAINWISE_HEARTBEAT_SECONDS: "0.3",
          RETAINWISE_LOG_LEVEL: "warn",
          ...env,
        },
        stdio: ["ignore", "ignore", options.stderr ?? "inherit"],
      });
      children.push(child);
      return child;
    },
    async stopAll() {
      const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
      for (const child of running) child.kill("SIGKILL");
      await Promise.all(running.map((child) => once(child, "exit")));
    },
  };
}
