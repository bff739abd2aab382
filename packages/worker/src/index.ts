export { startWorker, type Worker, type WorkerOptions } from "./worker.ts";
export { startRelay, relayOnce, ABANDONED_MESSAGE, type RelayOptions } from "./relay-and-reaper.ts";
export { sleep } from "./sleep.ts";
export { protectWhileBusy, type BusyHooks, type ProtectWhileBusyOptions } from "./protect-while-busy.ts";
export {
  drainOnNewGeneration,
  type DrainOnNewGenerationOptions,
  type DrainSignal,
  type WorkerGenerations,
} from "./drain-on-new-generation.ts";
