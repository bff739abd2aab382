import {
  createModelSource,
  handleJobMessage,
  indexScoresJob,
  jobRegistry,
  scoreJob,
  scoreShardJob,
  threadsForMachine,
  trainJob,
  BUILTIN_MODEL_ID,
  type Logger,
} from "@retainwise/core";
import { createApp, serveApi } from "@retainwise/api";
import { ecsTaskRevision } from "@retainwise/aws";
import { drainOnNewGeneration, protectWhileBusy, startRelay, startWorker } from "@retainwise/worker";
import type { Config } from "./config.ts";
import { programEntry, scoringThreadEntry } from "./paths.ts";
import { loadChurnModel, type Services } from "./wiring.ts";

export interface Running {
  /** Graceful: stop taking work, let in-flight jobs finish within the deadline, release the rest. */
  stop(): Promise<void>;
}

/**
 * The worker role: the job registry (one spec per kind: scoring, training, copying scores for
 * outcomes), the long-poll loop dispatching each message to its kind's spec with the models it needs
 * from one cache, and the outbox relay/reaper over every kind's table. The built-in model is loaded
 * before the first receive, so a missing model stops start-up; so does a kind without a spec.
 */
export async function startJobProcessing(services: Services, config: Config, logger: Logger): Promise<Running> {
  const models = createModelSource({
    models: services.models,
    store: services.store,
    builtin: () => loadChurnModel(config),
    maxModels: config.modelCacheSize,
  });
  (await models.acquire({ accountId: "", modelId: BUILTIN_MODEL_ID })).release();
  const { predictions, store, queue, outcomes, scoreIndexes, shards } = services;
  const registry = jobRegistry(
    [
      scoreJob(
        { predictions, store, queue, scoreIndexes, models, settings: services.models, shards },
        {
          maxBadRowShare: config.maxBadRowShare,
          threads: threadsForMachine(config.scoringThreads),
          workerEntry: scoringThreadEntry(),
          sharding: { minBytes: config.shardMinBytes, shardBytes: config.shardBytes },
        },
      ),
      scoreShardJob({ shards, predictions, store, queue, models, logger }),
      trainJob(
        { models: services.models, store, predictions, outcomes },
        {
          workerEntry: programEntry(),
          maxTrainingRows: config.maxTrainingRows,
          maxTrainingCells: config.maxTrainingCells,
        },
      ),
      indexScoresJob({ scoreIndexes, predictions, outcomes, store }),
    ],
    { every: true },
  );
  const deps = { queue: services.queue, logger };
  const generation = await workerGeneration(config, logger);
  const drain =
    generation === undefined
      ? undefined
      : drainOnNewGeneration({
          generations: services.workerGenerations,
          generation,
          logger,
          checkSeconds: config.drainCheckSeconds,
          aliveSeconds: config.drainAliveSeconds,
        });
  const worker = startWorker({
    queue: services.queue,
    concurrency: config.workerConcurrency,
    // A training holds its slot for minutes; one slot (of two or more) always stays for scoring and the score copies.
    longJobs: { kinds: ["train"], maxSlots: config.workerConcurrency - 1 },
    visibilitySeconds: config.visibilitySeconds,
    logger,
    ...protectWhileBusy(services.taskProtection, { logger }),
    ...(drain ? { draining: drain.draining, drainDeadlineMs: config.drainDeadlineSeconds * 1000 } : {}),
    handle: (message, shutdown) =>
      handleJobMessage(message, registry, deps, {
        visibilitySeconds: config.visibilitySeconds,
        heartbeatSeconds: config.heartbeatSeconds,
        staleAfterSeconds: config.staleAfterSeconds,
        stallHeartbeats: config.stallHeartbeats,
        shutdown,
      }),
  });
  const relay = startRelay({
    jobs: registry.specs,
    queue: services.queue,
    intervalSeconds: config.relayIntervalSeconds,
    graceSeconds: config.relayGraceSeconds,
    staleAfterSeconds: config.staleAfterSeconds,
    logger: logger.child({ component: "relay" }),
  });
  return {
    async stop() {
      await Promise.all([worker.stop(jobDeadlineMs(config)), relay.stop(), drain?.stop()]);
      await models.close();
    },
  };
}

/**
 * The worker's generation for the drain signal: RETAINWISE_WORKER_GENERATION when set, else the
 * ECS task definition revision from the task metadata; none (no draining) anywhere else, or when
 * the metadata cannot be read (logged: deploys will then wait on this worker's protection).
 */
async function workerGeneration(config: Config, logger: Logger): Promise<number | undefined> {
  if (config.workerGeneration !== undefined) return config.workerGeneration;
  if (!config.ecsMetadataUri) return undefined;
  return ecsTaskRevision(config.ecsMetadataUri).catch((error: unknown) => {
    logger.warn("no worker generation: deploys will not drain this worker", { error });
    return undefined;
  });
}

/**
 * Runs `stop` once on the first SIGINT/SIGTERM, then exits; a second signal exits at once. The
 * shutdown deadline holds whatever `stop` waits on (a dead database, a hung request): FORCE_SECONDS
 * before it, `force` cuts connections and stops the database, and the process exits 1. The timer is
 * unref'd, so a clean stop exits as soon as it is done.
 */
export function onShutdownSignal(
  logger: Logger,
  stop: () => Promise<void>,
  deadline: { seconds: number; force(): Promise<void> },
): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(1);
      stopping = true;
      logger.info("shutting down", { signal, deadlineSeconds: deadline.seconds });
      const forceAfterSeconds = Math.max(deadline.seconds - FORCE_SECONDS, MIN_FORCE_AFTER_SECONDS);
      setTimeout(() => void forceExit(logger, deadline.force), forceAfterSeconds * 1000).unref();
      stop().then(resolve, (error: unknown) => {
        logger.error("shutdown failed", { error });
        resolve();
      });
    };
    process.once("SIGINT", handler);
    process.once("SIGTERM", handler);
  });
}

/** What forcing may take: connections cut at once, the postmaster's fast shutdown (1 s before SIGKILL). */
const FORCE_SECONDS = 3;
/** A very short deadline (tests use 0.5 s) still lets a clean stop finish before anything is forced. */
const MIN_FORCE_AFTER_SECONDS = 5;

async function forceExit(logger: Logger, force: () => Promise<void>): Promise<never> {
  logger.error("shutdown deadline reached; closing connections and stopping by force");
  const reserve = new Promise((resolve) => setTimeout(resolve, FORCE_SECONDS * 1000 - 200).unref());
  await Promise.race([force().catch((error: unknown) => logger.error("forced shutdown failed", { error })), reserve]);
  process.exit(1);
}

/**
 * How long in-flight jobs may run on after SIGTERM before they are released: the deadline less
 * JOB_RELEASE_SECONDS (half of it when shorter) for releasing them and closing.
 */
export function jobDeadlineMs(config: Config): number {
  const seconds = config.shutdownDeadlineSeconds;
  return (seconds - Math.min(JOB_RELEASE_SECONDS, seconds / 2)) * 1000;
}

const JOB_RELEASE_SECONDS = 5;

/** The API role: the Hono app (API + web UI) on a real HTTP server. */
export function serveHttp(services: Services, config: Config, logger: Logger): ReturnType<typeof serveApi> {
  const app = createApp({
    predictions: services.predictions,
    accounts: services.accounts,
    outcomes: services.outcomes,
    models: services.models,
    idempotencyKeys: services.idempotencyKeys,
    maxTrainingBytes: config.maxTrainingBytes,
    maxColumns: config.maxColumns,
    maxConcurrentTrainings: config.maxConcurrentTrainings,
    maxConcurrentUploads: config.maxConcurrentUploads,
    rateLimitPerMinute: config.rateLimitPerMinute,
    authFailuresPerMinute: config.authFailuresPerMinute,
    trustedProxyHops: config.trustedProxyHops,
    store: services.store,
    queue: services.queue,
    logger,
    maxUploadBytes: config.maxUploadBytes,
    uploadIdleSeconds: config.uploadIdleSeconds,
    downloadUrlTtlSeconds: config.downloadUrlTtlSeconds,
    ...(services.serveDownload ? { serveDownload: services.serveDownload } : {}),
  });
  return serveApi(app, { port: config.port, host: config.host, headersTimeoutSeconds: config.headersTimeoutSeconds });
}
