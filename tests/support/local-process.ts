/**
 * `retainwise local` as a real child process with its own embedded PostgreSQL, for tests that kill
 * things: its log lines are kept (`log()`), its postmaster found from the data directory.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.ts";

const BIN = join(import.meta.dirname, "..", "..", "node_modules", ".bin", "retainwise");

export interface LocalProcess {
  child: ChildProcess;
  base: string;
  key: string;
  dataDir: string;
  /** Everything it logged so far (JSON lines on stderr). */
  log(): string;
  /** The running postmaster's pid and port (postmaster.pid). */
  postmaster(): Promise<{ pid: number; port: number }>;
  /** Resolves with how it exited, and after how many ms from `since`. */
  exited(since: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  /** SIGKILLs it (and its postmaster) if still running, removes the data directory. */
  dispose(): Promise<void>;
}

export async function startLocalProcess(env: Record<string, string> = {}): Promise<LocalProcess> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), "rw-local-process-"));
  const child = spawn(BIN, ["local", "--port", String(port), "--data-dir", dataDir], {
    env: { ...process.env, DATABASE_URL: "", RETAINWISE_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  child.stdout!.setEncoding("utf8");
  const key = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (chunk: string) => {
      stdout += chunk;
      const match = /API key: (\S+)/.exec(stdout);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) =>
      reject(new Error(`retainwise local exited (${code}) before printing its key:\n${stderr.slice(-2000)}`)),
    );
  });
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  const postmaster = async () => {
    // As root the cluster may live elsewhere, named in postgres.location (packages/local).
    const pgdata = (
      await readFile(join(dataDir, "postgres.location"), "utf8").catch(() => join(dataDir, "postgres"))
    ).trim();
    const lines = (await readFile(join(pgdata, "postmaster.pid"), "utf8")).split("\n");
    return { pid: Number(lines[0]), port: Number(lines[3]) };
  };
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    key,
    dataDir,
    log: () => stderr,
    postmaster,
    async exited(since) {
      const [code, signal] = await exit;
      return { code, signal, ms: Date.now() - since };
    },
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exit;
        // A postmaster outlives its killed parent and would go on writing (pg_wal) into the directory removed below.
        const running = await postmaster().catch(() => undefined);
        if (running) killGroup(running.pid);
      }
      await rm(dataDir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}
