import { processPrediction, type ChurnModel, type Logger } from "@retainwise/core";
import { createApp, serveApi } from "@retainwise/api";
import { startRelay, startWorker } from "@retainwise/worker";
import type { Config } from "./config.ts";
import { programEntry } from "./paths.ts";
import type { Services } from "./wiring.ts";

export interface Running {
  /** Graceful: stop taking work, let in-flight jobs finish within the deadline, release the rest. */
  stop(): Promise<void>;
}

/** The worker role: the long-poll loop scoring jobs, plus the outbox relay/reaper beside it. */
export function startJobProcessing(services: Services, model: ChurnModel, config: Config, logger: Logger): Running {
  const deps = { predictions: services.predictions, store: services.store, queue: services.queue, model, logger };
  const worker = startWorker({
    queue: services.queue,
    concurrency: config.workerConcurrency,
    visibilitySeconds: config.visibilitySeconds,
    logger,
    handle: (message, shutdown) =>
      processPrediction(message, deps, {
        visibilitySeconds: config.visibilitySeconds,
        heartbeatSeconds: config.heartbeatSeconds,
        staleAfterSeconds: config.staleAfterSeconds,
        maxBadRowShare: config.maxBadRowShare,
        threads: config.scoringThreads,
        workerEntry: programEntry(),
        shutdown,
      }),
  });
  const relay = startRelay({
    predictions: services.predictions,
    queue: services.queue,
    intervalSeconds: config.relayIntervalSeconds,
    graceSeconds: config.relayGraceSeconds,
    staleAfterSeconds: config.staleAfterSeconds,
    logger: logger.child({ component: "relay" }),
  });
  return {
    async stop() {
      await Promise.all([worker.stop(config.shutdownDeadlineSeconds * 1000), relay.stop()]);
    },
  };
}

/** Runs `stop` once on the first SIGINT/SIGTERM, then exits; a second signal exits at once. */
export function onShutdownSignal(logger: Logger, stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(1);
      stopping = true;
      logger.info("shutting down", { signal });
      stop().then(resolve, (error: unknown) => {
        logger.error("shutdown failed", { error });
        resolve();
      });
    };
    process.once("SIGINT", handler);
    process.once("SIGTERM", handler);
  });
}

/** The API role: the Hono app (API + web UI) on a real HTTP server. */
export function serveHttp(services: Services, config: Config, logger: Logger): ReturnType<typeof serveApi> {
  const app = createApp({
    predictions: services.predictions,
    accounts: services.accounts,
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
