import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, settingFlags } from "./config.ts";

describe("loadConfig", () => {
  it("defaults to one-machine mode on loopback port 8080 with data in .retainwise", () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      mode: "local",
      port: 8080,
      host: "127.0.0.1",
      dataDir: ".retainwise",
      visibilitySeconds: 60,
      downloadUrlTtlSeconds: 600,
    });
  });

  it("lets flags win over env and env over defaults", () => {
    const config = loadConfig({
      env: { RETAINWISE_PORT: "9000", RETAINWISE_WORKER_CONCURRENCY: "4" },
      flags: { port: "9100" },
    });
    expect(config.port).toBe(9100);
    expect(config.workerConcurrency).toBe(4);
  });

  it("names every bad setting with its env var and flag", () => {
    const error = (() => {
      try {
        loadConfig({
          env: { RETAINWISE_PORT: "abc", RETAINWISE_MAX_BAD_ROW_SHARE: "2", RETAINWISE_LOG_LEVEL: "loud" },
        });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toHaveLength(3);
    expect(error!.message).toContain('RETAINWISE_PORT (--port) must be a number, got "abc"');
    expect(error!.message).toContain("RETAINWISE_MAX_BAD_ROW_SHARE (--max-bad-row-share) must be at most 1");
    expect(error!.message).toContain("RETAINWISE_LOG_LEVEL (--log-level) must be debug, info, warn or error");
  });

  it("requires the database, bucket and queue in aws mode", () => {
    expect(() => loadConfig({ env: { RETAINWISE_MODE: "aws" } })).toThrow(
      /DATABASE_URL is required in aws mode[\s\S]*RETAINWISE_BUCKET[\s\S]*RETAINWISE_QUEUE_URL/,
    );
  });

  it("puts a password delivered apart (from SSM) into a database URL that carries none", () => {
    const config = loadConfig({
      env: {
        DATABASE_URL: "postgres://rw@db.internal:5432/retainwise",
        RETAINWISE_DATABASE_PASSWORD: "p@ss:/word",
        RETAINWISE_DATABASE_CA_FILE: "/app/rds-ca.pem",
      },
    });
    expect(config.databaseUrl).toBe("postgres://rw:p%40ss%3A%2Fword@db.internal:5432/retainwise");
    expect(config.databaseCaFile).toBe("/app/rds-ca.pem");
    expect(decodeURIComponent(new URL(config.databaseUrl!).password)).toBe("p@ss:/word");
  });

  it("takes any setting as a --kebab-case flag and refuses unknown ones", () => {
    expect(settingFlags(["--port", "9000", "--data-dir=/tmp/rw", "--log-level", "debug"])).toEqual({
      port: "9000",
      dataDir: "/tmp/rw",
      logLevel: "debug",
    });
    expect(() => settingFlags(["--prot", "9000"])).toThrow(/unknown option "--prot"/);
    expect(() => settingFlags(["--port"])).toThrow(/--port needs a value/);
  });
});
