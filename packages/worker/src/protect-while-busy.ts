import type { Logger, TaskProtection } from "@retainwise/core";

export interface ProtectWhileBusyOptions {
  logger: Logger;
  /** How long one protection lasts; renewed at half-time while a job is still held. */
  minutes?: number;
}

/** Hooks for the worker loop: `onBusy` when a slot takes a job, `onIdle` when it lets go. */
export interface BusyHooks {
  onBusy(): Promise<void>;
  onIdle(): Promise<void>;
}

const DEFAULT_MINUTES = 60;

/**
 * Turns the worker's slot transitions into protection calls: on while any job is held, off when
 * the last one ends, renewed while busy so a long job never outlives its protection. Transitions
 * are applied one at a time against the current job count, so interleaved slots cannot leave the
 * task protected while idle. A failed call is logged, never thrown: a job is not dropped because
 * the agent hiccupped. Jobs that overlap share one protection period; what keeps a period from
 * spanning a whole backlog during a deploy is the drain signal (drain-on-new-generation.ts): a
 * replaced worker claims nothing more, so its protection ends with the jobs it holds.
 */
export function protectWhileBusy(protection: TaskProtection, options: ProtectWhileBusyOptions): BusyHooks {
  const minutes = options.minutes ?? DEFAULT_MINUTES;
  let held = 0;
  let applied = false;
  let renewal: NodeJS.Timeout | undefined;
  let chain = Promise.resolve();

  const apply = (force = false) =>
    (chain = chain.then(async () => {
      const wanted = held > 0;
      if (wanted === applied && !force) return;
      try {
        await protection.set(wanted, minutes);
        applied = wanted;
      } catch (error) {
        options.logger.warn("task protection call failed", { protect: wanted, error });
      }
      clearInterval(renewal);
      renewal = applied ? setInterval(() => void apply(true), (minutes * 60_000) / 2).unref() : undefined;
    }));

  return {
    onBusy() {
      held++;
      return apply();
    },
    onIdle() {
      held--;
      return apply();
    },
  };
}
