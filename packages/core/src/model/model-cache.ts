import type { ChurnModel } from "./churn-model.ts";
import type { ModelLease } from "../ports/model-source.ts";

export interface ModelCacheOptions {
  /** Loads model `id` (called once per id while it stays cached). */
  load(id: string): Promise<ChurnModel>;
  /** Sessions kept loaded; the least recently used idle one is released past this. */
  maxModels: number;
}

export interface ModelCache {
  lease(id: string): Promise<ModelLease>;
  /** Ids cached, least recently used first (for tests and logs). */
  ids(): string[];
  close(): Promise<void>;
}

interface Entry {
  model: Promise<ChurnModel>;
  leases: number;
}

/**
 * An LRU of loaded sessions, counting leases: only idle sessions are evicted, so the cache may run
 * over its bound while every cached model is scoring, and shrinks back as jobs let go (releasing a
 * session mid-run would crash onnxruntime).
 * Concurrent first requests for one id share one load.
 *
 * @example
 *   const cache = createModelCache({ load: (id) => loadFromStore(id), maxModels: 8 });
 *   const lease = await cache.lease(id); try { … lease.model … } finally { lease.release(); }
 */
export function createModelCache(options: ModelCacheOptions): ModelCache {
  const entries = new Map<string, Entry>();
  return {
    async lease(id) {
      let entry = entries.get(id);
      if (entry)
        entries.delete(id); // re-inserted below: Map order is recency order
      else entry = { model: options.load(id), leases: 0 };
      entries.set(id, entry);
      entry.leases++;
      const current = entry;
      evict();
      try {
        const model = await current.model;
        let released = false;
        return {
          model,
          release() {
            if (released) return;
            released = true;
            current.leases--;
            evict();
          },
        };
      } catch (error) {
        current.leases--;
        if (entries.get(id) === current) entries.delete(id); // a failed load is not cached
        throw error;
      }
    },
    ids: () => [...entries.keys()],
    async close() {
      const all = [...entries.values()];
      entries.clear();
      await Promise.all(all.map(async (entry) => (await entry.model.catch(() => undefined))?.release()));
    },
  };

  function evict(): void {
    for (const [id, entry] of entries) {
      if (entries.size <= options.maxModels) return;
      if (entry.leases > 0) continue;
      entries.delete(id);
      void entry.model.then(
        (model) => model.release(),
        () => {},
      );
    }
  }
}
