import type { Logger } from "@retainwise/core/log";
import type { IdempotencyKeys, JobQueue, ObjectStore } from "@retainwise/core/ports";
import type { RequestIdVariables } from "hono/request-id";
import type { Account, AccountRepository } from "@retainwise/core/accounts";
import type { ModelRepository } from "@retainwise/core/models";
import type { PredictionRepository } from "@retainwise/core/predictions";
import type { OutcomeRepository } from "@retainwise/core/outcomes";

/** What the API is built from: ports, never adapters. */
export interface ApiDeps {
  predictions: PredictionRepository;
  accounts: AccountRepository;
  outcomes: OutcomeRepository;
  models: ModelRepository;
  /** `Idempotency-Key` on uploads: answers kept for replay. */
  idempotencyKeys: IdempotencyKeys;
  store: ObjectStore;
  queue: JobQueue;
  logger: Logger;
  maxUploadBytes: number;
  /** An upload that sends nothing for this long is cut off (408) and its partial object removed (default 30). */
  uploadIdleSeconds?: number;
  downloadUrlTtlSeconds: number;
  /** Cap of a training upload (413 past it). */
  maxTrainingBytes: number;
  /** Columns of a file to score or train on (400 `csv.too_many_columns` past it; default 1,000). */
  maxColumns?: number;
  /** QUEUED + TRAINING models an account may have at once (429 past it). */
  maxConcurrentTrainings: number;
  /** Uploads (POST of predictions, models, outcomes) one account may stream at once per API instance (429 past it; default 4). */
  maxConcurrentUploads?: number;
  /** Requests per minute per API key per API instance (429 past it; default 600). */
  rateLimitPerMinute?: number;
  /** Requests with a refused key per minute per client address per API instance (429 past it, before the key is looked up; default 60). */
  authFailuresPerMinute?: number;
  /** Proxies in front of the API that append the client's address to `X-Forwarded-For` (the load balancer: 1; default 0, the socket's address). */
  trustedProxyHops?: number;
  /** One-machine mode: answers the HMAC-signed `GET /files/*` download links of the files store. */
  serveDownload?: (request: Request) => Promise<Response>;
}

/** Typed once: handlers read `c.get("account")` without casts. */
export interface ApiEnv {
  Variables: RequestIdVariables & {
    account: Account;
  };
}
