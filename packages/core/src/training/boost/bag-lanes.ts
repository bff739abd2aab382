import { Worker } from "node:worker_threads";
import { RetainwiseError } from "../../errors.ts";
import type { BinCodes } from "./binning.ts";
import type { BagContext, BagResult } from "./bag.ts";
import { fitBag } from "./bag.ts";
import { BAG_THREAD, type BagThreadReply, type BagThreadRequest } from "./bag-thread.ts";

export interface BagThreads {
  /** Threads the bags run on, this one included. */
  threads: number;
  /** The program file extra threads start from; it must call `serveBagThread()` (bag-thread.ts). Without it, one thread. */
  workerEntry?: string | URL | undefined;
}

/**
 * Where the bags of a fit run: this thread and `threads - 1` worker threads, each taking the next
 * bag when it is free. Results come back in bag order, so the model does not depend on the number
 * of threads or on which finished first. The table's codes are copied once into shared memory.
 */
export class BagLanes {
  private readonly workers: Worker[];
  private failure: RetainwiseError | undefined;
  private readonly waiting = new Map<
    Worker,
    { resolve: (result: BagResult) => void; reject: (error: Error) => void }
  >();
  private context: BagContext | undefined;
  private closing = false;

  constructor(options: BagThreads) {
    const extra = options.workerEntry === undefined ? 0 : Math.max(0, Math.floor(options.threads) - 1);
    this.workers = Array.from({ length: extra }, () => this.start(options.workerEntry!));
  }

  /** The rows and table every following bag reads (sent once to each thread). */
  use(context: BagContext): void {
    this.context = this.workers.length === 0 ? context : shared(context);
    for (const worker of this.workers) worker.postMessage({ context: this.context } satisfies BagThreadRequest);
  }

  /** Fits bags 0…bags-1, `onDone(k)` after the k-th to finish; results in bag order. */
  async run(bags: number, onDone: (done: number) => void = () => {}): Promise<BagResult[]> {
    const context = this.context!;
    const results: BagResult[] = new Array(bags);
    let next = 0;
    let done = 0;
    const lane = async (worker?: Worker) => {
      while (next < bags && !this.failure) {
        const bag = next++;
        // This thread yields between its bags so replies from the others are taken as they come.
        results[bag] = worker ? await this.send(worker, bag) : await Promise.resolve().then(() => fitBag(context, bag));
        onDone(++done);
      }
    };
    await Promise.all([lane(), ...this.workers.map((w) => lane(w))]);
    if (this.failure) throw this.failure;
    return results;
  }

  /** Stops every worker thread (call it whatever happened: a worker keeps the program alive). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private start(entry: string | URL): Worker {
    const worker = new Worker(entry, { workerData: { [BAG_THREAD]: true } });
    worker.on("message", (reply: BagThreadReply) => {
      const waiting = this.waiting.get(worker);
      this.waiting.delete(worker);
      if ("result" in reply) waiting?.resolve(reply.result);
      else this.fail(new RetainwiseError("train.thread_failed", `Training failed in a bagging thread: ${reply.error}`));
    });
    worker.on("error", (error) =>
      this.fail(
        new RetainwiseError(
          "train.thread_failed",
          `A bagging thread of the training stopped unexpectedly: ${error.message}`,
          { cause: error },
        ),
      ),
    );
    worker.on("exit", (code) =>
      this.fail(
        new RetainwiseError(
          "train.thread_failed",
          `A bagging thread of the training stopped unexpectedly (thread exit ${code}).`,
        ),
      ),
    );
    return worker;
  }

  private send(worker: Worker, bag: number): Promise<BagResult> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting.set(worker, { resolve, reject });
      worker.postMessage({ bag } satisfies BagThreadRequest);
    });
  }

  /** The first failure wins; every lane stops taking bags and every bag still waiting fails with it. */
  private fail(error: RetainwiseError): void {
    if (this.closing) return;
    this.failure ??= error;
    for (const [, waiting] of this.waiting) waiting.reject(this.failure);
    this.waiting.clear();
  }
}

/** The context with its large arrays (codes, labels, rows) in shared memory: posting it to a thread copies nothing big. */
function shared(context: BagContext): BagContext {
  const { binned } = context;
  return {
    ...context,
    binned: { ...binned, codes: binned.codes.map(toShared) },
    labels: toShared(context.labels),
    rows: toShared(context.rows),
  };
}

function toShared<T extends BinCodes | Int32Array>(values: T): T {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const copy = new (values.constructor as new (buffer: SharedArrayBuffer) => T)(
    new SharedArrayBuffer(values.byteLength),
  );
  copy.set(values as never);
  return copy;
}
