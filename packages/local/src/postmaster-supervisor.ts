import type { ChildProcess } from "node:child_process";
import net from "node:net";
import { RetainwiseError, type Logger } from "@retainwise/core";

/**
 * Keeps one embedded postmaster alive, as a process supervisor would: notices its death (the child's
 * exit event) or its silence (a probe every PROBE_INTERVAL_MS that gets no answer PROBE_FAILURES
 * times: a frozen or wedged postmaster, which is then killed), and starts it again on the same data
 * directory and port, so the application's pool reconnects to the same URL. Restarts back off
 * (RESTART_DELAYS_MS); when every attempt fails, `onGiveUp` decides (local mode exits non-zero so
 * the supervisor above it can act). Without `restart`, a death is only logged and seen in `isUp()`.
 *
 * @example
 *   const supervisor = supervisePostmaster(postmaster, { port, start, attach, stopPostmaster, log, restart: { onGiveUp: exit } });
 *   supervisor.isUp(); // false from the postmaster's death until its restart accepts connections
 */
export function supervisePostmaster(first: ChildProcess, options: SupervisorOptions): PostmasterSupervisor {
  const { log } = options;
  let current = first;
  let up = true;
  let stopping = false;
  let detach = options.attach(first);
  let restarting: Promise<void> | undefined;
  const cancelBackoff = new AbortController();

  const watch = (postmaster: ChildProcess) =>
    postmaster.once("exit", (code, signal) => {
      if (stopping || postmaster !== current) return;
      up = false;
      detach();
      log.error("embedded postgres exited unexpectedly", {
        pid: postmaster.pid,
        code,
        signal,
        restarting: Boolean(options.restart),
      });
      // Its backends notice the death and exit; any still there would make the restart refuse the shared memory.
      killGroup(postmaster);
      if (options.restart) restarting = restart(options.restart).finally(() => (restarting = undefined));
    });

  const restart = async ({ onGiveUp }: NonNullable<SupervisorOptions["restart"]>) => {
    for (const [index, delay] of RESTART_DELAYS_MS.entries()) {
      await sleep(delay, cancelBackoff.signal);
      if (stopping) return;
      try {
        const postmaster = await options.start();
        current = postmaster;
        detach = options.attach(postmaster);
        watch(postmaster);
        up = true;
        log.info("embedded postgres restarted", { pid: postmaster.pid, attempt: index + 1 });
        return;
      } catch (error) {
        log.warn("embedded postgres restart failed", { attempt: index + 1, error });
      }
    }
    const seconds = RESTART_DELAYS_MS.reduce((sum, ms) => sum + ms, 0) / 1000;
    onGiveUp(
      new RetainwiseError(
        "local.postgres_down",
        `The embedded PostgreSQL died and could not be restarted (${RESTART_DELAYS_MS.length} attempts over ${seconds} s; see the log above). Check the disk and the data directory, then start RetainWise again.`,
      ),
    );
  };

  let failures = 0;
  let probing = false;
  const probe = async () => {
    if (!up || stopping || probing) return;
    probing = true;
    const answered = await answersProbe(options.port, PROBE_TIMEOUT_MS);
    probing = false;
    failures = answered ? 0 : failures + 1;
    if (failures < PROBE_FAILURES || !up || stopping) return;
    failures = 0;
    log.error("embedded postgres does not answer; killing it to restart it", {
      pid: current.pid,
      probes: PROBE_FAILURES,
    });
    killGroup(current);
  };
  const prober = options.restart ? setInterval(() => void probe(), PROBE_INTERVAL_MS).unref() : undefined;
  watch(first);

  return {
    isUp: () => up && !stopping,
    async stop(graceMs) {
      stopping = true;
      clearInterval(prober);
      cancelBackoff.abort();
      await restarting;
      await options.stopPostmaster(current, graceMs);
      detach();
    },
    killAfter(graceMs) {
      const postmaster = current;
      setTimeout(() => {
        if (postmaster.exitCode === null && postmaster.signalCode === null) killGroup(postmaster);
      }, graceMs).unref();
    },
  };
}

export interface SupervisorOptions {
  port: number;
  /** Starts a postmaster on the same cluster and port; resolves once it accepts connections. */
  start(): Promise<ChildProcess>;
  /** Runs for every postmaster started (the first included); returns what undoes it once that one is gone. */
  attach(postmaster: ChildProcess): () => void;
  /** Fast shutdown, SIGKILL after `graceMs`. */
  stopPostmaster(postmaster: ChildProcess, graceMs?: number): Promise<void>;
  /** Restart a dead or silent postmaster; `onGiveUp` when every attempt failed. */
  restart?: { onGiveUp(error: RetainwiseError): void };
  log: Logger;
}

export interface PostmasterSupervisor {
  /** False from the postmaster's death (or `stop`) until a restart accepts connections. */
  isUp(): boolean;
  /** Stops supervising, then the postmaster (fast shutdown, SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL the postmaster's group after `graceMs` unless it is gone by then: a shorter deadline for a stop already under way. */
  killAfter(graceMs: number): void;
}

/** 0.5 s doubling: five attempts over 15.5 s, time for crash recovery and for old backends to exit. */
export const RESTART_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000];
const PROBE_INTERVAL_MS = 2_000;
const PROBE_TIMEOUT_MS = 2_000;
const PROBE_FAILURES = 3;

/**
 * Whether a postmaster answers on `port`: it must accept a connection and answer an SSLRequest
 * (one byte, `S` or `N`). A TCP connect alone would succeed against a frozen postmaster, whose
 * kernel socket still accepts into its backlog.
 */
function answersProbe(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("data", () => done(true));
    // SSLRequest (PostgreSQL protocol, "Message Formats"): length 8, code 80877103.
    socket.once("connect", () => socket.write(Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])));
  });
}

/** The postmaster runs as its own process group leader (spawned detached): this reaches its backends too. */
function killGroup(postmaster: ChildProcess): void {
  try {
    process.kill(-postmaster.pid!, "SIGKILL");
  } catch {
    // Already gone.
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
