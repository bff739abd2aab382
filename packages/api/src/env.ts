import type { Account, AccountRepository, JobQueue, Logger, ObjectStore, OutcomeRepository, PredictionRepository } from "@retainwise/core";

/** What the API is built from: ports, never adapters. */
export interface ApiDeps {
  predictions: PredictionRepository;
  accounts: AccountRepository;
  outcomes: OutcomeRepository;
  store: ObjectStore;
  queue: JobQueue;
  logger: Logger;
  maxUploadBytes: number;
  downloadUrlTtlSeconds: number;
  /** One-machine mode: answers the HMAC-signed `GET /files/*` download links of the files store. */
  serveDownload?: (request: Request) => Promise<Response>;
}

/** Typed once: handlers read `c.get("account")` without casts. */
export interface ApiEnv {
  Variables: {
    requestId: string;
    account: Account;
  };
}
