import { readFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { startLocalProcess, type LocalProcess } from "../support/local-process.ts";
import { TELCO_PATH, TELCO_ROWS } from "../support/telco.ts";

// `retainwise local` in a child process with its own embedded PostgreSQL, whose postmaster we kill.
const DEADLINE_SECONDS = 10;
const running: LocalProcess[] = [];
const blockers: Server[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((local) => local.dispose()));
  for (const blocker of blockers.splice(0)) blocker.close();
});

async function start(): Promise<LocalProcess> {
  const local = await startLocalProcess({ RETAINWISE_SHUTDOWN_DEADLINE_SECONDS: String(DEADLINE_SECONDS) });
  running.push(local);
  return local;
}

/** Kills the postmaster and its backends at once, as the OOM killer would. */
async function killPostgres(local: LocalProcess): Promise<{ pid: number; port: number }> {
  const postmaster = await local.postmaster();
  process.kill(-postmaster.pid, "SIGKILL");
  return postmaster;
}

/** Takes the port the dead postmaster listened on, so it cannot come back there. */
async function blockPort(port: number): Promise<void> {
  const blocker = createServer();
  blockers.push(blocker);
  for (;;) {
    const bound = await new Promise<boolean>((resolve) =>
      blocker.once("error", () => resolve(false)).listen(port, "127.0.0.1", () => resolve(true)),
    );
    if (bound) return;
    await new Promise((r) => setTimeout(r, 20)); // its backends are still closing
  }
}

/** Whether `pid` is gone within 5 s: a killed process lingers until its parent (or init) reaps it. */
async function gone(pid: number): Promise<boolean> {
  const until = Date.now() + 5_000;
  while (isAlive(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  return !isAlive(pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A GET sent with `Expect: 100-continue`, resolved once the server has answered `100 Continue`:
 * Node's HTTP server does that as it hands the parsed request to the app, so from then on the
 * request is in the app's hands (here: waiting on the database). The returned promise settles with
 * its final status, or undefined when the connection is cut.
 */
async function requestInFlight(local: LocalProcess, path: string): Promise<Promise<number | undefined>> {
  const request = httpRequest(`${local.base}${path}`, {
    headers: { Authorization: `Bearer ${local.key}`, Expect: "100-continue" },
  });
  const settled = new Promise<number | undefined>((resolve) => {
    request.once("response", (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.once("error", () => resolve(undefined));
  });
  request.flushHeaders();
  await new Promise<void>((resolve, reject) => {
    request.once("continue", resolve);
    void settled.then((status) =>
      reject(new Error(`answered ${status ?? "nothing"} before the request was in flight`)),
    );
  });
  request.end();
  return settled;
}

async function readyz(local: LocalProcess): Promise<{ status: number; ms: number }> {
  const started = Date.now();
  const response = await fetch(`${local.base}/readyz`);
  await response.body?.cancel();
  return { status: response.status, ms: Date.now() - started };
}

describe("local mode when its embedded PostgreSQL dies", () => {
  it("restarts it on the same data directory: /readyz is 503 while it is down, 200 after, and a new upload completes", {
    timeout: 180_000,
  }, async () => {
    const local = await start();
    const before = await killPostgres(local);
    const seen: { status: number; ms: number }[] = [];
    const deadline = Date.now() + 60_000;
    while (seen.at(-1)?.status !== 200 || !seen.some((r) => r.status === 503)) {
      if (Date.now() > deadline)
        throw new Error(`not ready again within 60 s: ${JSON.stringify(seen)}\n${local.log().slice(-3000)}`);
      seen.push(await readyz(local));
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const down of seen.filter((r) => r.status === 503)) expect(down.ms).toBeLessThan(2_000);
    const after = await local.postmaster();
    expect(after.port).toBe(before.port);
    expect(after.pid).not.toBe(before.pid);
    expect(local.log()).toContain("embedded postgres exited unexpectedly");
    expect(local.log()).toContain("embedded postgres restarted");

    const upload = await fetch(`${local.base}/v1/predictions?filename=after.csv`, {
      method: "POST",
      headers: { Authorization: `Bearer ${local.key}`, "Content-Type": "text/csv" },
      body: await readFile(TELCO_PATH),
    });
    expect(upload.status).toBe(202);
    const { id } = (await upload.json()) as { id: string };
    let job: { status: string; progress: { rowsProcessed: number } } | undefined;
    for (
      const until = Date.now() + 90_000;
      Date.now() < until && job?.status !== "COMPLETED";
      await new Promise((r) => setTimeout(r, 200))
    ) {
      job = (await (
        await fetch(`${local.base}/v1/predictions/${id}`, { headers: { Authorization: `Bearer ${local.key}` } })
      ).json()) as typeof job;
    }
    expect(job).toMatchObject({ status: "COMPLETED", progress: { rowsProcessed: TELCO_ROWS } });

    const stopping = Date.now();
    local.child.kill("SIGTERM");
    expect(await local.exited(stopping)).toMatchObject({ code: 0, signal: null });
  });

  it("kills and restarts a postmaster that stops answering", { timeout: 120_000 }, async () => {
    const local = await start();
    const frozen = await local.postmaster();
    process.kill(-frozen.pid, "SIGSTOP");
    const deadline = Date.now() + 60_000;
    while (!local.log().includes("embedded postgres restarted")) {
      if (Date.now() > deadline) throw new Error(`no restart within 60 s:\n${local.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(local.log()).toContain("embedded postgres does not answer; killing it to restart it");
    expect(await gone(frozen.pid)).toBe(true);
    expect((await readyz(local)).status).toBe(200);
  });

  it("SIGTERM while PostgreSQL is frozen with a request and the worker waiting on it exits within the shutdown deadline, leaving no postgres behind", {
    timeout: 120_000,
  }, async () => {
    const local = await start();
    const { pid } = await local.postmaster();
    // Frozen, not gone: connections open and queries sent wait forever, as on a hung host.
    process.kill(-pid, "SIGSTOP");
    const hanging = await requestInFlight(local, "/v1/predictions");
    const stopping = Date.now();
    local.child.kill("SIGTERM");
    const exit = await local.exited(stopping);
    await hanging;
    expect(exit.signal).toBeNull();
    expect(exit.ms).toBeLessThan(DEADLINE_SECONDS * 1000);
    expect(await gone(pid)).toBe(true);
  });

  it("exits non-zero, saying why, when PostgreSQL cannot be restarted", { timeout: 120_000 }, async () => {
    const local = await start();
    const { port } = await killPostgres(local);
    await blockPort(port);
    const exit = await local.exited(Date.now());
    expect(exit).toMatchObject({ code: 3, signal: null });
    expect(exit.ms).toBeLessThan(40_000);
    expect(local.log()).toContain("could not be restarted (5 attempts over 15.5 s");
  });
});
