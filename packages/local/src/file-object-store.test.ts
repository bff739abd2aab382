import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createFileObjectStore } from "./file-object-store.ts";
import { serveSignedDownload, signDownload, verifyDownloadSignature } from "./signed-download.ts";

// The portable behaviour is in tests/contracts/object-store.contract.ts; these cover the disk layout,
// key safety and the signed-URL format.

let dir: string;
const secret = randomBytes(32).toString("hex");
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), "rw-files-"));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

const store = () => createFileObjectStore({ dir, publicBaseUrl: "http://files.test", signingSecret: secret });

describe("keys", () => {
  test.each([
    "../escape.csv",
    "inputs/../../etc/passwd",
    "/absolute.csv",
    "inputs//double.csv",
    ".hidden",
    "inputs/.x.tmp",
    "with space.csv",
    "back\\slash.csv",
    "",
  ])("rejects the key %j before touching the disk", async (key) => {
    await expect(store().put(key, Readable.from(["x"]))).rejects.toMatchObject({ code: "store.invalid_key" });
    await expect(store().get(key)).rejects.toMatchObject({ code: "store.invalid_key" });
  });

  test("stores an object at <dir>/<key>", async () => {
    await store().put("results/abc/1.csv", Readable.from(["a,b\n"]));
    expect(await fs.readFile(path.join(dir, "results", "abc", "1.csv"), "utf8")).toBe("a,b\n");
  });
});

describe("atomic writes", () => {
  test("a put that fails mid-stream keeps the previous object and leaves no temp file", async () => {
    await store().put("inputs/atomic.csv", Readable.from(["old content"]));
    async function* failing() {
      yield Buffer.from("new partial");
      throw new Error("client went away");
    }
    await expect(store().put("inputs/atomic.csv", Readable.from(failing()))).rejects.toThrow("client went away");
    expect(await fs.readFile(path.join(dir, "inputs", "atomic.csv"), "utf8")).toBe("old content");
    expect((await fs.readdir(path.join(dir, "inputs"))).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  test("an aborted put rejects and keeps the previous object", async () => {
    await store().put("inputs/aborted.csv", Readable.from(["old"]));
    const controller = new AbortController();
    const endless = new Readable({ read() {} });
    endless.push("partial");
    const putting = store().put("inputs/aborted.csv", endless, { signal: controller.signal });
    controller.abort();
    await expect(putting).rejects.toMatchObject({ name: "AbortError" });
    expect(await fs.readFile(path.join(dir, "inputs", "aborted.csv"), "utf8")).toBe("old");
  });
});

describe("files at rest", () => {
  test("are readable by this OS user only: directories 0700, files 0600", async () => {
    const own = await fs.mkdtemp(path.join(os.tmpdir(), "rw-modes-"));
    const files = createFileObjectStore({
      dir: path.join(own, "files"),
      publicBaseUrl: "http://files.test",
      signingSecret: secret,
    });
    await files.put("results/p1/attempt-1.csv", Readable.from(["customer rows"]));
    const mode = async (...parts: string[]) => (await fs.stat(path.join(own, "files", ...parts))).mode & 0o777;
    expect(await mode()).toBe(0o700);
    expect(await mode("results", "p1")).toBe(0o700);
    expect(await mode("results", "p1", "attempt-1.csv")).toBe(0o600);
    await fs.rm(own, { recursive: true, force: true });
  });

  test("temp files a crash left are swept at start, and with their object on delete; a fresh one is kept", async () => {
    const own = await fs.mkdtemp(path.join(os.tmpdir(), "rw-sweep-"));
    const results = path.join(own, "files", "results", "p1");
    await fs.mkdir(results, { recursive: true });
    const old = path.join(results, ".attempt-1.csv.0123456789ab.tmp");
    const fresh = path.join(results, ".attempt-2.csv.ba9876543210.tmp");
    await Promise.all([fs.writeFile(old, "half"), fs.writeFile(fresh, "in flight")]);
    const hourAgo = new Date(Date.now() - 3_600_000);
    await fs.utimes(old, hourAgo, hourAgo);
    const files = createFileObjectStore({
      dir: path.join(own, "files"),
      publicBaseUrl: "http://files.test",
      signingSecret: secret,
    });
    await files.ping();
    expect(await fs.readdir(results)).toEqual([".attempt-2.csv.ba9876543210.tmp"]);
    await files.delete("results/p1/attempt-2.csv");
    expect(await fs.readdir(results)).toEqual([]);
    await fs.rm(own, { recursive: true, force: true });
  });
});

describe("signed download URLs", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  const expires = Math.floor(now.getTime() / 1000) + 600;
  const url = signDownload({
    publicBaseUrl: "http://api.test/",
    key: "results/p 1/1.csv",
    filename: "scores (1).csv",
    expires,
    signingSecret: secret,
  });

  test("have the documented shape", () => {
    expect(url).toMatch(
      /^http:\/\/api\.test\/files\/results\/p%201\/1\.csv\?expires=\d+&filename=[^&]+&signature=[0-9a-f]{64}$/,
    );
  });

  test("verify while fresh, giving back the key and file name", () => {
    expect(verifyDownloadSignature(url, secret, now)).toEqual({
      ok: true,
      key: "results/p 1/1.csv",
      filename: "scores (1).csv",
      expiresAt: new Date(expires * 1000),
    });
    expect(verifyDownloadSignature(new URL(url).pathname + new URL(url).search, secret, now).ok).toBe(true);
  });

  test("fail once expired", () => {
    expect(verifyDownloadSignature(url, secret, new Date(expires * 1000))).toEqual({ ok: false, reason: "expired" });
  });

  test.each([
    [
      "the key",
      (u: URL) => {
        u.pathname = u.pathname.replace("1.csv", "2.csv");
      },
    ],
    ["the expiry", (u: URL) => u.searchParams.set("expires", String(expires + 3600))],
    ["the file name", (u: URL) => u.searchParams.set("filename", "other.csv")],
    ["the signature", (u: URL) => u.searchParams.set("signature", "0".repeat(64))],
  ])("fail when %s is changed", (_what, tamper) => {
    const changed = new URL(url);
    tamper(changed);
    expect(verifyDownloadSignature(changed, secret, now)).toEqual({ ok: false, reason: "bad_signature" });
  });

  test("fail under another secret, and when parts are missing", () => {
    expect(verifyDownloadSignature(url, "another secret", now).ok).toBe(false);
    const missing = new URL(url);
    missing.searchParams.delete("signature");
    expect(verifyDownloadSignature(missing, secret, now)).toEqual({ ok: false, reason: "malformed" });
    expect(verifyDownloadSignature("http://api.test/elsewhere", secret, now)).toEqual({
      ok: false,
      reason: "malformed",
    });
  });

  test("serve a file that has since been deleted as 404, and a bad link as 403 without the file", async () => {
    const files = store();
    await files.put("results/gone.csv", Readable.from(["x"]));
    const { url: link } = await files.presignGet("results/gone.csv", { expiresInSeconds: 60 });
    await files.delete("results/gone.csv");
    expect((await serveSignedDownload(files, link, secret)).status).toBe(404);
    const forbidden = await serveSignedDownload(files, link.replace(/signature=./, "signature=x"), secret);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: { code: "download.malformed" } });
  });
});
