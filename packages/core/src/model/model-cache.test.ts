import { describe, expect, it } from "vitest";
import { DEFAULT_MODEL_PATH } from "../../../../tests/support/telco.ts";
import { loadModel, type ChurnModel } from "./churn-model.ts";
import { createModelCache } from "./model-cache.ts";

/** Real sessions of the shipped model, recording which ids were loaded and released. */
function recordingLoader() {
  const loaded: string[] = [];
  const released: string[] = [];
  const load = async (id: string): Promise<ChurnModel> => {
    loaded.push(id);
    const model = await loadModel(DEFAULT_MODEL_PATH);
    return {
      ...model,
      release: () => {
        released.push(id);
        return model.release();
      },
    };
  };
  return { load, loaded, released };
}

/** Evicted sessions are released asynchronously. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe("the model cache", () => {
  it("loads a model once for concurrent requests and keeps the most recently used within its bound", async () => {
    const loader = recordingLoader();
    const cache = createModelCache({ load: loader.load, maxModels: 2 });
    const [a1, a2] = await Promise.all([cache.lease("a"), cache.lease("a")]);
    expect(loader.loaded).toEqual(["a"]);
    a1.release();
    a2.release();
    (await cache.lease("b")).release();
    (await cache.lease("a")).release();
    (await cache.lease("c")).release();
    await settled();
    expect(cache.ids()).toEqual(["a", "c"]);
    expect(loader.released).toEqual(["b"]);
    await cache.close();
    expect(loader.released.sort()).toEqual(["a", "b", "c"]);
  });

  it("never releases a session a job still holds, and evicts it once let go", async () => {
    const loader = recordingLoader();
    const cache = createModelCache({ load: loader.load, maxModels: 1 });
    const held = await cache.lease("a");
    (await cache.lease("b")).release();
    await settled();
    expect(loader.released).toEqual(["b"]);
    held.release();
    (await cache.lease("c")).release();
    await settled();
    expect(loader.released).toContain("a");
    await cache.close();
  });

  it("does not cache a failed load", async () => {
    let calls = 0;
    const cache = createModelCache({
      load: async () => (calls++ === 0 ? Promise.reject(new Error("store down")) : loadModel(DEFAULT_MODEL_PATH)),
      maxModels: 2,
    });
    await expect(cache.lease("a")).rejects.toThrow("store down");
    (await cache.lease("a")).release();
    expect(calls).toBe(2);
    await cache.close();
  });
});
