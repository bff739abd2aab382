import type { ModelInput } from "../model/churn-model.ts";
import { ellipsize } from "../bounded-text.ts";

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
 * `Contract is Month-to-month (+0.82)` raises churn risk, `Tenure (months) is 61 (-1.10)` lowers it.
 * `record` is the row as read and `columns[i]` where input i sits in it; only the six cells named
 * are read and trimmed (blank -> "missing"), not every input of every row.
 */
export function explainRow(inputs: readonly ModelInput[], contributions: Float32Array, offset: number, record: readonly string[], columns: readonly number[]): Reasons {
  const risk: number[] = [];
  const protective: number[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const c = contributions[offset + i]!;
    if (c >= MIN_CONTRIBUTION) insertTop(risk, i, contributions, offset, 1);
    else if (c <= -MIN_CONTRIBUTION) insertTop(protective, i, contributions, offset, -1);
  }
  const sentence = (i: number) => {
    const value = (record[columns[i]!] ?? "").trim();
    return `${inputs[i]!.label} is ${value === "" ? "missing" : ellipsize(value)} (${signed(contributions[offset + i]!)})`;
  };
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
