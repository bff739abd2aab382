/**
 * Keeps the platform from stopping this process while it holds a job: ECS task scale-in protection
 * on AWS (scale-in and deployments then skip the task until it is idle); nothing to do on one
 * machine, where nothing scales in.
 */
export interface TaskProtection {
  /** Protects for `minutes` from now (`enabled`), or makes the task stoppable again. */
  set(enabled: boolean, minutes: number): Promise<void>;
}

/** For local mode and anywhere no orchestrator scales in. */
export const noTaskProtection: TaskProtection = { set: async () => {} };
