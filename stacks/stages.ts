/**
 * Per-stage settings, in one typed place. `production` and `staging` are named stages; every other
 * stage (a developer's `sst deploy --stage alice`, a pull request's `pr-42`, or `sst dev`) gets
 * `personal`, on the VPC and cluster of the long-lived stage {@link NETWORK_STAGE}.
 */

/**
 * The long-lived stage that owns the one VPC and ECS cluster every personal and preview stage
 * shares (`sst.aws.Vpc.get` / `sst.aws.Cluster.get`, infra/network.ts): AWS's default quota is 5
 * VPCs per region, which one VPC per stage hit at the third preview. Only those two are deployed in it.
 */
export const NETWORK_STAGE = "shared";
/** The shared cluster's fixed name, so other stages can name its ARN. */
export const SHARED_CLUSTER_NAME = `retainwise-${NETWORK_STAGE}`;
export interface StageSettings {
  /** Retain data on `sst remove`, refuse to delete protected resources, snapshot the database on delete. */
  protect: boolean;
  /** `sst deploy` waits until ECS reports both services stable (and fails when ECS rolls back). */
  waitForStable: boolean;
  /** Refused under `sst dev`, which would replace the stage's RDS and ECS services with local processes. */
  sharedStage: boolean;
  api: { cpu: "0.25 vCPU" | "0.5 vCPU" | "1 vCPU"; memory: `${number} GB`; min: number; max: number };
  /** `spot`: Fargate Spot (~70% cheaper, may be reclaimed with a 2-minute warning; a reclaimed job is redelivered). */
  worker: {
    cpu: "0.5 vCPU" | "1 vCPU" | "2 vCPU";
    memory: `${number} GB`;
    min: number;
    max: number;
    capacity: "on-demand" | "spot";
  };
  /** RDS allocates 20 GB and grows on its own up to `maxStorage`. */
  database: { instance: DatabaseInstance; maxStorage: `${number} GB`; multiAz: boolean };
  /** Uploaded inputs and scored results are deleted after this many days. */
  retentionDays: number;
  /**
   * The API's domain (a Route 53 hosted zone in the account): ACM certificate, 443/https, 80
   * redirecting to 443, HSTS. Required for shared stages; a personal stage without one is served
   * over HTTPS by CloudFront's default certificate (infra/https.ts).
   */
  domain?: string;
  /** AWS WAF blocks an address past this many requests in 5 minutes (all API tasks together); none when unset. */
  rateLimitPer5Minutes?: number;
  /** Who the alarms e-mail (an SNS subscription the address must confirm once); none for personal stages. */
  alarmEmail?: string;
  /** The load balancer's access logs and the WAF's request logs are deleted after this many days. */
  logRetentionDays: number;
  /** `own`: the stage creates its VPC and cluster; `shared`: it uses {@link NETWORK_STAGE}'s. */
  network: "own" | "shared";
}

export type DatabaseInstance = keyof typeof MAX_CONNECTIONS;

/**
 * RDS PostgreSQL's default `max_connections` is LEAST(DBInstanceClassMemory / 9531392, 5000):
 * about 190 on db.t4g.small (2 GiB) and 90 on db.t4g.micro (1 GiB), less what RDS reserves.
 * These are the budgets we plan against, a little under those.
 */
export const MAX_CONNECTIONS = { "t4g.micro": 80, "t4g.small": 170 } as const;

/** Connections each process may open (RETAINWISE_DATABASE_POOL_SIZE): the API serves many requests at once, a worker runs 2 jobs. */
export const POOL_SIZE = { api: 10, worker: 5 } as const;
/** Left for operators: `retainwise keys` / `migrate` through ECS Exec, psql, RDS's own monitoring. */
export const SPARE_CONNECTIONS = 10;

export const STAGES = {
  production: {
    protect: true,
    waitForStable: true,
    sharedStage: true,
    api: { cpu: "0.5 vCPU", memory: "1 GB", min: 2, max: 6 },
    worker: { cpu: "1 vCPU", memory: "2 GB", min: 1, max: 10, capacity: "on-demand" },
    database: { instance: "t4g.small", maxStorage: "100 GB", multiAz: true },
    retentionDays: 30,
    domain: "api.retainwise.example",
    rateLimitPer5Minutes: 3000,
    alarmEmail: "oncall@retainwise.example",
    logRetentionDays: 90,
    network: "own",
  },
  staging: {
    protect: false,
    waitForStable: true,
    sharedStage: true,
    api: { cpu: "0.25 vCPU", memory: "0.5 GB", min: 1, max: 2 },
    worker: { cpu: "0.5 vCPU", memory: "1 GB", min: 0, max: 3, capacity: "spot" },
    database: { instance: "t4g.micro", maxStorage: "50 GB", multiAz: false },
    retentionDays: 7,
    domain: "staging-api.retainwise.example",
    alarmEmail: "oncall@retainwise.example",
    logRetentionDays: 30,
    network: "own",
  },
  personal: {
    protect: false,
    waitForStable: false,
    sharedStage: false,
    api: { cpu: "0.25 vCPU", memory: "0.5 GB", min: 1, max: 1 },
    worker: { cpu: "0.5 vCPU", memory: "1 GB", min: 0, max: 2, capacity: "spot" },
    database: { instance: "t4g.micro", maxStorage: "20 GB", multiAz: false },
    retentionDays: 3,
    logRetentionDays: 7,
    network: "shared",
  },
} satisfies Record<string, StageSettings>;

export function stageSettings(stage: string): StageSettings {
  if (stage === NETWORK_STAGE) return NETWORK_STAGE_SETTINGS;
  return stage === "production" || stage === "staging" ? STAGES[stage] : STAGES.personal;
}

/** The network stage deploys only its VPC and cluster (sst.config.ts): shared (no `sst dev`), protected, its own network. */
const NETWORK_STAGE_SETTINGS: StageSettings = { ...STAGES.personal, protect: true, sharedStage: true, network: "own" };

/** Connections the stage opens at full scale, operators' spare included. */
export function connectionsAtFullScale(settings: StageSettings): number {
  return settings.api.max * POOL_SIZE.api + settings.worker.max * POOL_SIZE.worker + SPARE_CONNECTIONS;
}
