// `retainwise local` in a temp data dir on a free port, for benchmarks over real HTTP.
//   const service = await startLocal({ RETAINWISE_HEARTBEAT_SECONDS: "0.25" });
//   await fetch(`${service.base}/v1/...`, { headers: { Authorization: `Bearer ${service.key}` } });
//   service.peakRssMb(); await service.stop();
import { spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export async function startLocal(env = {}) {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), "rw-bench-"));
  const server = spawn(
    join(root, "node_modules/.bin/retainwise"),
    ["local", "--port", String(port), "--data-dir", dataDir],
    {
      env: { ...process.env, RETAINWISE_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const key = await readKey(server);
  return {
    base: `http://127.0.0.1:${port}`,
    key,
    /** Peak resident memory of the process so far (API, worker and its threads; PostgreSQL runs apart). */
    peakRssMb: () =>
      Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, "utf8"))[1]) / 1024),
    async stop() {
      server.kill("SIGINT");
      await once(server, "exit");
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function readKey(child) {
  let out = "";
  for await (const chunk of child.stdout) {
    out += chunk;
    const match = /API key: (\S+)/.exec(out);
    if (match) return match[1];
  }
  throw new Error("retainwise local exited before printing its key");
}

/** A port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
