import * as v from "valibot";
import { TransientError } from "@retainwise/core";

/** `GET ${ECS_CONTAINER_METADATA_URI_V4}/task` answers with the task's family and revision, among much else. */
const TaskMetadata = v.object({ Family: v.string(), Revision: v.pipe(v.string(), v.regex(/^\d+$/)) });

/**
 * The revision of the task definition this task runs: the worker's generation (a deploy registers
 * a new revision, so new tasks have a higher one; packages/worker/src/drain-on-new-generation.ts).
 * Read from the task metadata endpoint the ECS agent serves every container (no IAM needed).
 *
 * @example
 *   const generation = await ecsTaskRevision(process.env.ECS_CONTAINER_METADATA_URI_V4!); // 42
 */
export async function ecsTaskRevision(metadataUri: string, timeoutMs = 5_000): Promise<number> {
  let body: unknown;
  try {
    const response = await fetch(`${metadataUri.replace(/\/$/, "")}/task`, { signal: AbortSignal.timeout(timeoutMs) });
    body = await response.json();
  } catch (error) {
    throw new TransientError(
      "ecs.task_metadata_unreachable",
      "The ECS task metadata endpoint did not answer; the worker cannot tell its generation (deploys will not drain it).",
      { cause: error },
    );
  }
  const parsed = v.safeParse(TaskMetadata, body);
  if (!parsed.success)
    throw new TransientError(
      "ecs.task_metadata_unexpected",
      "The ECS task metadata has no numeric Revision; the worker cannot tell its generation (deploys will not drain it).",
    );
  return Number(parsed.output.Revision);
}
