import type { Factor, ModelInput } from "../model/churn-model.ts";

/** How many factors each reasons column lists. */
export const REASONS_PER_SIDE = 3;
/** Contributions smaller than this (in log-odds) read as "+0.00" and say nothing: left out. */
const MIN_CONTRIBUTION = 0.005;

export interface Reasons {
  risk: string[];
  protective: string[];
}

/**
 * The top contributions of one row, as sentences a customer success manager can act on:
 * `Contract is Month-to-month (+0.82)` raises churn risk, `Tenure (months) is 61 (-1.10)` lowers it,
 * and a factor of two inputs reads `Age is 58 and Active member is No (+0.91)`. Contribution f of
 * the row is about `factors[f]`; `record` is the row as read and `columns[i]` where input i sits in
 * it; only the cells of the six factors named are read and trimmed (blank -> "missing").
 */
export function explainRow(
  inputs: readonly ModelInput[],
  factors: readonly Factor[],
  contributions: Float32Array,
  offset: number,
  record: readonly string[],
  columns: readonly number[],
): Reasons {
  const risk: number[] = [];
  const protective: number[] = [];
  for (let f = 0; f < factors.length; f++) {
    const c = contributions[offset + f]!;
    if (c >= MIN_CONTRIBUTION) insertTop(risk, f, contributions, offset, 1);
    else if (c <= -MIN_CONTRIBUTION) insertTop(protective, f, contributions, offset, -1);
  }
  const cell = (i: number) => {
    const value = (record[columns[i]!] ?? "").trim();
    return `${inputs[i]!.label} is ${value === "" ? "missing" : value}`;
  };
  const sentence = (f: number) => `${factors[f]!.inputs.map(cell).join(" and ")} (${signed(contributions[offset + f]!)})`;
  return { risk: risk.map(sentence), protective: protective.map(sentence) };
}

/**
 * Keeps `top` as the indices of the REASONS_PER_SIDE largest `sign * contribution`, largest first.
 * No score callback: a closure per input per row was a measurable share of a million-row run.
 */
function insertTop(top: number[], index: number, contributions: Float32Array, offset: number, sign: 1 | -1): void {
  const s = sign * contributions[offset + index]!;
  let at = top.length;
  while (at > 0 && sign * contributions[offset + top[at - 1]!]! < s) at--;
  if (at >= REASONS_PER_SIDE) return;
  top.splice(at, 0, index);
  if (top.length > REASONS_PER_SIDE) top.pop();
}

function signed(x: number): string {
  return (x >= 0 ? "+" : "-") + Math.abs(x).toFixed(2);
}
