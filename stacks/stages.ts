/**
 * Per-stage settings, in one typed place. `production` and `staging` are named stages; every other
 * stage (a developer's `sst deploy --stage alice`, or `sst dev`) gets `personal`.
 */
export interface StageSettings {
  /** Retain data on `sst remove` and refuse to delete protected resources. */
  protect: boolean;
  api: { cpu: "0.25 vCPU" | "0.5 vCPU" | "1 vCPU"; memory: `${number} GB`; min: number; max: number };
  worker: { cpu: "0.5 vCPU" | "1 vCPU" | "2 vCPU"; memory: `${number} GB`; min: number; max: number };
  database: { instance: string; storage: `${number} GB`; multiAz: boolean };
  /** Uploaded inputs and scored results are deleted after this many days. */
  retentionDays: number;
}

export const STAGES = {
  production: {
    protect: true,
    api: { cpu: "0.5 vCPU", memory: "1 GB", min: 2, max: 6 },
    worker: { cpu: "1 vCPU", memory: "2 GB", min: 1, max: 10 },
    database: { instance: "t4g.small", storage: "50 GB", multiAz: true },
    retentionDays: 30,
  },
  staging: {
    protect: false,
    api: { cpu: "0.25 vCPU", memory: "0.5 GB", min: 1, max: 2 },
    worker: { cpu: "0.5 vCPU", memory: "1 GB", min: 0, max: 3 },
    database: { instance: "t4g.micro", storage: "20 GB", multiAz: false },
    retentionDays: 7,
  },
  personal: {
    protect: false,
    api: { cpu: "0.25 vCPU", memory: "0.5 GB", min: 1, max: 1 },
    worker: { cpu: "0.5 vCPU", memory: "1 GB", min: 0, max: 2 },
    database: { instance: "t4g.micro", storage: "20 GB", multiAz: false },
    retentionDays: 3,
  },
} satisfies Record<string, StageSettings>;

export function stageSettings(stage: string): StageSettings {
  return stage === "production" || stage === "staging" ? STAGES[stage] : STAGES.personal;
}
