import { isMainThread, parentPort, workerData } from "node:worker_threads";
import type { BagContext, BagResult } from "./bag.ts";
import { fitBag } from "./bag.ts";

/**
 * The thread side of parallel bagging (bag-lanes.ts). Like training and scoring threads, a bagging
 * thread starts from the program's entry file, which sees this marker in its workerData and calls
 * `serveBagThread()` instead of its command line.
 */
export const BAG_THREAD = "retainwiseBagThread";

export type BagThreadRequest = { context: BagContext } | { bag: number };
export type BagThreadReply = { result: BagResult } | { error: string };

export function isBagThread(): boolean {
  return !isMainThread && (workerData as { [BAG_THREAD]?: unknown } | null)?.[BAG_THREAD] === true;
}

/** Keeps the latest context and fits each bag it is sent against it, one at a time, replying with the result. */
export function serveBagThread(): void {
  const port = parentPort!;
  let context: BagContext | undefined;
  port.on("message", (request: BagThreadRequest) => {
    if ("context" in request) {
      context = request.context;
      return;
    }
    try {
      port.postMessage({ result: fitBag(context!, request.bag) } satisfies BagThreadReply);
    } catch (error) {
      port.postMessage({ error: error instanceof Error ? error.message : String(error) } satisfies BagThreadReply);
    }
  });
}
