import type { ChurnModel } from "../model/churn-model.ts";

/**
 * Where the worker gets the model a job scores with: the built-in model or one an account trained,
 * loaded once and kept in a size-bounded cache of sessions keyed by model id.
 *
 * @example
 *   const lease = await models.acquire({ accountId, modelId: prediction.modelId });
 *   try { await scoreCsv({ ..., model: lease.model }); } finally { lease.release(); }
 */
export interface ModelSource {
  /**
   * The model `modelId` names (null: the built-in one), if `accountId` may use it: its own models and
   * the built-in. Throws `model.not_found` for a model it may not use (deleted, another
   * account's) and `model.not_ready` for one that is not READY: both permanent. Release the lease when done.
   */
  acquire(request: { accountId: string; modelId: string | null }): Promise<ModelLease>;
  /** Releases every cached session (shutdown). */
  close(): Promise<void>;
}

export interface ModelLease {
  model: ChurnModel;
  /** The session may be evicted (and its native memory freed) once every lease on it is released. */
  release(): void;
}
