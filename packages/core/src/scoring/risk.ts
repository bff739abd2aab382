import type { RiskThresholds } from "../model/card.ts";

export const RISK_LEVELS = ["High", "Medium", "Low"] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

/** The one place a probability becomes a risk level. */
export function riskLevel(probability: number, thresholds: RiskThresholds): RiskLevel {
  if (probability >= thresholds.high) return "High";
  if (probability >= thresholds.medium) return "Medium";
  return "Low";
}
