/**
 * Idempotency keys (HTTP `Idempotency-Key`): the first request with a key claims it, and its
 * answer is stored so a retry with the same key gets the same answer instead of a second job.
 * Keys are per account; Postgres in every mode.
 */
export interface IdempotencyKeys {
  /**
   * Claims `key` for a request with this `fingerprint`, atomically: of two simultaneous requests
   * exactly one gets `claimed`. A key whose answer is older than `ttlSeconds`, or whose request
   * stopped heart-beating `staleAfterSeconds` ago (its process died), is claimed anew.
   */
  claim(
    accountId: string,
    key: string,
    fingerprint: string,
    options: { ttlSeconds: number; staleAfterSeconds: number },
  ): Promise<IdempotencyClaim>;
  /** Keeps a claim fresh while its request runs (a long upload). */
  heartbeat(accountId: string, key: string): Promise<void>;
  /** Stores the claimed request's answer, to be replayed. */
  save(accountId: string, key: string, response: StoredResponse): Promise<void>;
  /** Gives up a claim whose request did not succeed, so a retry runs again. */
  release(accountId: string, key: string): Promise<void>;
}

export type IdempotencyClaim =
  | { state: "claimed" }
  | { state: "in_progress"; fingerprint: string }
  | { state: "done"; fingerprint: string; response: StoredResponse };

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}
