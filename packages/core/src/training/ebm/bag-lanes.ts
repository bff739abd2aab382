import { Worker } from "node:worker_threads";
import { RetainwiseError } from "../../errors.ts";
import type { BinCodes } from "./binning.ts";
import type { BagContext, BagJob, BagJobResult } from "./bag-jobs.ts";
import { runBagJob } from "./bag-jobs.ts";
import { BAG_THREAD, type BagThreadReply, type BagThreadRequest } from "./bag-thread.ts";

export interface BagThreads {
  /** Threads the bags of a stage run on (1: this one; more: that many worker threads, this one only hands out the jobs). */
  threads: number;
  /** The program file extra threads start from; it must call `serveBagThread()` (bag-thread.ts). Without it, one thread. */
  workerEntry?: string | URL | undefined;
}

/**
 * Where the bags of a fit run: this thread alone, or `threads` worker threads (this one then only
 * hands out jobs, so a thread that finishes gets its next job at once). A stage hands out one job
 * per bag, each to the next free thread, and gets the results back in bag order, so the model does
 * not depend on the number of threads or on which finished first. The table's codes are copied
 * once into shared memory that every thread reads.
 */
export class BagLanes {
  private readonly workers: Worker[];
  private failure: RetainwiseError | undefined;
  private readonly waiting = new Map<Worker, { resolve: (result: BagJobResult) => void; reject: (error: Error) => void }>();
  private context: BagContext | undefined;
  private closing = false;

  constructor(options: BagThreads) {
    const threads = options.workerEntry === undefined || options.threads < 2 ? 0 : Math.floor(options.threads);
    this.workers = Array.from({ length: threads }, () => this.start(options.workerEntry!));
  }

  /** The rows and table every following job reads (sent once to each thread). */
  use(context: BagContext): void {
    this.context = this.workers.length === 0 ? context : shared(context);
    for (const worker of this.workers) worker.postMessage({ context: this.context } satisfies BagThreadRequest);
  }

  /** Runs every job (one per bag), `onDone(k)` after the k-th to finish; results in job order. */
  async run<J extends BagJob>(jobs: readonly J[], onDone: (done: number) => void = () => {}): Promise<Array<BagJobResult<J>>> {
    const context = this.context!;
    const results: Array<BagJobResult<J>> = new Array(jobs.length);
    let next = 0;
    let done = 0;
    const finished = () => onDone(++done);
    const lane = async (worker?: Worker) => {
      while (next < jobs.length && !this.failure) {
        const k = next++;
        results[k] = worker ? ((await this.send(worker, jobs[k]!)) as BagJobResult<J>) : runBagJob(context, jobs[k]!);
        finished();
      }
    };
    await Promise.all(this.workers.length > 0 ? this.workers.map((w) => lane(w)) : [lane()]);
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
    worker.on("error", (error) => this.fail(new RetainwiseError("train.thread_failed", `A bagging thread of the training stopped unexpectedly: ${error.message}`, { cause: error })));
    worker.on("exit", (code) => this.fail(new RetainwiseError("train.thread_failed", `A bagging thread of the training stopped unexpectedly (thread exit ${code}).`)));
    return worker;
  }

  private send(worker: Worker, job: BagJob): Promise<BagJobResult> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.waiting.set(worker, { resolve, reject });
      worker.postMessage({ job } satisfies BagThreadRequest);
    });
  }

  /** The first failure wins; every lane stops taking jobs and every job still waiting fails with it. */
  private fail(error: RetainwiseError): void {
    if (this.closing) return;
    this.failure ??= error;
    for (const [, waiting] of this.waiting) waiting.reject(this.failure);
    this.waiting.clear();
  }
}

/** The context with its large arrays (codes, labels, rows) in shared memory: posting it to a thread copies nothing big. */
function shared(context: BagContext): BagContext {
  const { binned, grids } = context;
  return {
    ...context,
    binned: { ...binned, codes: binned.codes.map(toShared) },
    grids: grids.map((g) => ({ ...g, codes: toShared(g.codes) })),
    labels: toShared(context.labels),
    rows: toShared(context.rows),
  };
}

function toShared<T extends BinCodes | Int32Array>(values: T): T {
  if (values.buffer instanceof SharedArrayBuffer) return values;
  const copy = new (values.constructor as new (buffer: SharedArrayBuffer) => T)(new SharedArrayBuffer(values.byteLength));
  copy.set(values as never);
  return copy;
}
