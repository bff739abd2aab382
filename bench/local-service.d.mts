// Types of local-service.mjs for the TypeScript benches (bench/models.ts).
export declare const root: string;
export declare function startLocal(env?: Record<string, string>): Promise<{
  base: string;
  key: string;
  peakRssMb(): number;
  stop(): Promise<void>;
}>;
