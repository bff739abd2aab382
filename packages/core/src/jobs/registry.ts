import type { ReceivedMessage } from "../ports/job-queue.ts";
import type { JobRow, JobRows } from "./job-rows.ts";
import { JOB_KINDS, parseJobMessage, type JobKind } from "./messages.ts";
import { runJob, type JobWork, type ProcessOutcome, type RunJobDeps, type RunJobOptions } from "./run-job.ts";

/**
 * One kind of job: the table its rows live in (outbox, claim, heartbeat, reaper: `JobRows`) and
 * what the worker does with a claimed row. The worker's dispatch, the relay's and reaper's table
 * list and the message schema all come from these specs, as graphile-worker's task list does.
 *
 * @example
 *   const registry = jobRegistry([scoreJob(deps, options), trainJob(deps, options), indexScoresJob(deps)]);
 *   startWorker({ ..., handle: (message, shutdown) => handleJobMessage(message, registry, deps, { ...options, shutdown }) });
 *   startRelay({ jobs: registry.specs, ... });
 */
export interface JobSpec<J extends JobRow, P> {
  kind: JobKind;
  rows: JobRows<J, P>;
  /** The kind's statuses after which a row never runs again: a message for such a row is dropped. */
  finished: readonly string[];
  work: JobWork<J, P>;
}

/**
 * A spec of any kind, as the registry holds it: dispatch and the relay only use what every job row
 * has, and each spec's work is handed back its own rows' claims.
 */
export type AnyJobSpec = JobSpec<JobRow, unknown>;

export interface JobRegistry {
  /** One per kind, in JOB_KINDS order. */
  specs: readonly AnyJobSpec[];
  get(kind: JobKind): AnyJobSpec | undefined;
}

/**
 * The registry of the given specs. `every` (the worker role): refuse to start unless every kind
 * has its spec, so no message a release sends goes unhandled to the dead-letter queue. Tests that
 * run one kind leave it off.
 */
export function jobRegistry(specs: readonly AnyJobSpec[], options: { every?: boolean } = {}): JobRegistry {
  const byKind = new Map<JobKind, AnyJobSpec>();
  for (const spec of specs) {
    if (byKind.has(spec.kind)) throw new Error(`Two job specs for kind ${spec.kind}.`);
    byKind.set(spec.kind, spec);
  }
  const missing = JOB_KINDS.filter((kind) => !byKind.has(kind));
  if (options.every && missing.length > 0) throw new Error(`No job spec for kind ${missing.join(", ")}.`);
  return { specs: JOB_KINDS.flatMap((kind) => byKind.get(kind) ?? []), get: (kind) => byKind.get(kind) };
}

/**
 * Handles one received message: parses it, picks the spec of its kind and runs it (`runJob`). A
 * poison message (not a job message, or a kind this registry has no spec for) is logged and left to
 * dead-letter.
 */
export function handleJobMessage(
  message: ReceivedMessage,
  registry: JobRegistry,
  deps: RunJobDeps,
  options: RunJobOptions,
): Promise<ProcessOutcome> {
  const job = parseJobMessage(message.body);
  const spec = job && registry.get(job.kind);
  if (job && spec) return runJob(job.id, message, spec, deps, options);
  deps.logger.warn("poison message left to dead-letter", {
    messageId: message.messageId,
    receiveCount: message.receiveCount,
    kind: job?.kind,
  });
  return Promise.resolve("poison");
}
