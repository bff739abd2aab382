import { mulberry32 } from "../split.ts";
import type { TableInput, TrainingTable } from "../table.ts";

export interface SyntheticTableOptions {
  rows: number;
  seed?: number;
  /** Log-odds shift of every row: about -3 gives 5% churners, -1 about 25%. */
  shift?: number;
}

/**
 * A seeded churn-like table with 14 inputs (8 numeric, 6 categorical, some blanks, one rare level)
 * whose label follows known main effects, a threshold effect and one interaction (contract x
 * tenure). For tests and bench/train-speed, where the fit must see realistic shapes without a
 * customer file.
 *
 * @example const table = syntheticChurnTable({ rows: 10_000, seed: 1 });
 */
export function syntheticChurnTable({ rows, seed = 1, shift = -1 }: SyntheticTableOptions): TrainingTable {
  const random = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const pick = (weights: number[]) => {
    let u = random() * weights.reduce((a, b) => a + b, 0);
    return weights.findIndex((w) => {
      u -= w;
      return u < 0;
    });
  };
  const numeric = (name: string) => ({ role: "numeric" as const, name, label: name, values: new Float64Array(rows) });
  const categorical = (name: string, categories: string[]) => ({
    role: "categorical" as const,
    name,
    label: name,
    categories,
    codes: new Int32Array(rows),
  });
  const tenure = numeric("tenure");
  const monthly = numeric("monthly_charges");
  const total = numeric("total_charges");
  const calls = numeric("service_calls");
  const usage = numeric("usage_minutes");
  const age = numeric("age");
  const noiseA = numeric("noise_a");
  const noiseB = numeric("noise_b");
  const contract = categorical("contract", ["Month-to-month", "One year", "Two year"]);
  const payment = categorical("payment", ["Bank transfer", "Credit card", "Electronic check", "Mailed check"]);
  const internet = categorical("internet", ["DSL", "Fiber optic", "No"]);
  const senior = { ...categorical("senior", ["No", "Yes"]), role: "boolean" as const };
  const region = categorical("region", ["East", "North", "Rare", "South", "West"]);
  const plan = categorical("plan", ["Basic", "Plus", "Premium"]);
  const labels = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    const t = Math.floor(random() * 73);
    const m = 20 + random() * 100;
    const c = pick([55, 21, 24]);
    const k = Math.floor(-Math.log(1 - random()) * 1.5);
    tenure.values[r] = t;
    monthly.values[r] = Math.round(m * 100) / 100;
    // Brand-new customers have not been billed yet: blank, as in the Telco file.
    total.values[r] = t === 0 ? NaN : Math.round(t * m * (0.95 + 0.1 * random()) * 100) / 100;
    calls.values[r] = k;
    usage.values[r] = random() < 0.03 ? NaN : Math.max(0, 180 + 50 * normal());
    age.values[r] = 18 + Math.floor(random() * 62);
    noiseA.values[r] = normal();
    noiseB.values[r] = Math.floor(random() * 1000);
    contract.codes[r] = c;
    payment.codes[r] = pick([22, 22, 34, 22]);
    internet.codes[r] = pick([34, 44, 22]);
    senior.codes[r] = random() < 0.16 ? 1 : 0;
    region.codes[r] = random() < 0.0005 ? 2 : pick([25, 25, 0, 25, 25]);
    plan.codes[r] = random() < 0.02 ? -1 : pick([50, 30, 20]);
    const logit =
      shift +
      (c === 0 ? 1.0 - 0.04 * t : -0.8 - 0.005 * t) + // contract x tenure: short tenure matters on monthly contracts
      0.012 * (m - 70) +
      (k > 3 ? 1.6 : 0) +
      (payment.codes[r] === 2 ? 0.5 : 0) +
      (internet.codes[r] === 1 ? 0.4 : internet.codes[r] === 2 ? -0.6 : 0) +
      (senior.codes[r] ? 0.3 : 0) +
      (Number.isNaN(usage.values[r]!) ? 0 : 0.004 * (usage.values[r]! - 180));
    labels[r] = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }
  const inputs: TableInput[] = [
    tenure,
    monthly,
    total,
    calls,
    usage,
    age,
    noiseA,
    noiseB,
    contract,
    payment,
    internet,
    senior,
    region,
    plan,
  ];
  return { rows, labels, inputs };
}
