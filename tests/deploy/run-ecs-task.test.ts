import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCommand } from "../support/run-command.ts";
import { ROOT } from "./sst-platform.ts";

/**
 * scripts/run-ecs-task.sh, the deploy's pre-roll migration (infra/migrate.ts), against a stand-in
 * `aws` on PATH that records its calls and answers as ECS would: the task runs for one poll, then
 * stops with FAKE_EXIT_CODE.
 */
let dir: string;
const FAKE_AWS = `#!/usr/bin/env bash
echo "$*" >> "$FAKE_DIR/calls"
case "$1 $2" in
  "ecs run-task") echo "arn:aws:ecs:us-east-1:123456789012:task/cluster/abc123" ;;
  "ecs describe-tasks")
    case "$*" in
      *lastStatus*) if [ -e "$FAKE_DIR/polled" ]; then echo STOPPED; else touch "$FAKE_DIR/polled"; echo RUNNING; fi ;;
      *exitCode*) echo "$FAKE_EXIT_CODE" ;;
      *stoppedReason*) echo "Essential container in task exited" ;;
    esac ;;
  "ecs describe-task-definition") echo "/sst/cluster/c/Migrate-abcd/Migrate" ;;
  "logs get-log-events") echo "retainwise migrate: The database failed while applying migrations (42P07)." ;;
esac
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "rw-run-task-"));
  await writeFile(join(dir, "aws"), FAKE_AWS);
  await chmod(join(dir, "aws"), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function runTask(exitCode: string, extra: Record<string, string> = {}) {
  await rm(join(dir, "calls"), { force: true });
  await rm(join(dir, "polled"), { force: true });
  const result = await runCommand("bash", [join(ROOT, "scripts/run-ecs-task.sh")], {
    env: {
      PATH: `${dir}:${process.env.PATH}`,
      FAKE_DIR: dir,
      FAKE_EXIT_CODE: exitCode,
      RETAINWISE_TASK_CLUSTER: "arn:aws:ecs:us-east-1:123456789012:cluster/c",
      RETAINWISE_TASK_DEFINITION: "arn:aws:ecs:us-east-1:123456789012:task-definition/c-Migrate:7",
      RETAINWISE_TASK_CONTAINER: "Migrate",
      RETAINWISE_TASK_SUBNETS: "subnet-1,subnet-2",
      RETAINWISE_TASK_SECURITY_GROUPS: "sg-1",
      RETAINWISE_TASK_PUBLIC_IP: "ENABLED",
      RETAINWISE_TASK_POLL_SECONDS: "0",
      ...extra,
    },
  });
  const calls = (await readFile(join(dir, "calls"), "utf8").catch(() => "")).trimEnd().split("\n");
  return { ...result, calls };
}

describe("scripts/run-ecs-task.sh", () => {
  it("runs the task definition in the given subnets, waits until it stops and succeeds when the container exited 0", async () => {
    const run = await runTask("0");
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls[0]).toBe(
      "ecs run-task --cluster arn:aws:ecs:us-east-1:123456789012:cluster/c --task-definition arn:aws:ecs:us-east-1:123456789012:task-definition/c-Migrate:7 --launch-type FARGATE " +
        "--network-configuration awsvpcConfiguration={subnets=[subnet-1,subnet-2],securityGroups=[sg-1],assignPublicIp=ENABLED} --started-by retainwise-deploy --propagate-tags TASK_DEFINITION --query tasks[0].taskArn --output text",
    );
    expect(run.calls.filter((call) => call.includes("lastStatus"))).toHaveLength(2);
    expect(run.stderr).toContain("Migrate exited 0");
  });

  it("fails when the container exited non-zero, showing the end of its log", async () => {
    const run = await runTask("1");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/Migrate exited 1 \(Essential container in task exited\)/);
    expect(run.stderr).toContain("The database failed while applying migrations (42P07)");
    expect(run.calls).toContainEqual(
      expect.stringMatching(
        /^logs get-log-events --log-group-name \/sst\/cluster\/c\/Migrate-abcd\/Migrate --log-stream-name \/service\/Migrate\/abc123 /,
      ),
    );
  });

  it("fails when the container never ran (no exit code)", async () => {
    const run = await runTask("None");
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("Migrate exited without a code");
  });

  it("replaces the container's command when asked (the first deploy's smoke key)", async () => {
    const run = await runTask("0", { RETAINWISE_TASK_COMMAND: '["keys","create","--account","smoke"]' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.calls[0]).toContain(
      '--overrides {"containerOverrides":[{"name":"Migrate","command":["keys","create","--account","smoke"]}]}',
    );
  });

  it("stops a task still running past the timeout, and fails", async () => {
    const run = await runTask("0", { RETAINWISE_TASK_TIMEOUT_SECONDS: "0" });
    expect(run.status).toBe(1);
    expect(run.calls).toContainEqual(
      expect.stringMatching(
        /^ecs stop-task --cluster \S+ --task arn:aws:ecs:us-east-1:123456789012:task\/cluster\/abc123 /,
      ),
    );
  });

  it("refuses to start without its settings, naming the missing one", async () => {
    const run = await runTask("0", { RETAINWISE_TASK_SUBNETS: "" });
    expect(run).toMatchObject({ status: 2, stderr: expect.stringContaining("RETAINWISE_TASK_SUBNETS is not set") });
  });
});
