import { parseNumber } from "../csv/numbers.ts";
import { isTermTablesCard } from "../model/card.ts";
import type { ChurnModel, Factor } from "../model/churn-model.ts";
import type { ModelInputSpec } from "../model/term-model.ts";
import type { Layout } from "./batch.ts";
import type { CellKind } from "./cell-words.ts";
import type { FactorCells } from "./reasons.ts";

/**
 * Where a factor's cells are in this file and how they read: a subject adding up several numbers
 * reads them in the file's number format; each subject names the model inputs it reads, so that
 * subjects restating one fact make one reason (reasons.ts).
 */
export function factorCells(factor: Factor, model: ChurnModel, layout: Layout): FactorCells {
  const part = (i: number) => ({
    label: model.inputs[i]!.label,
    column: layout.inputIndexes[i]!,
    kind: inputKind(model, i),
    inputs: [i],
  });
  if (!factor.subjects) return { parts: factor.inputs.map(part) };
  const read = (cell: string) => parseNumber(cell, layout.numberFormat) ?? Number.NaN;
  const decimal = layout.numberFormat.decimal;
  return {
    parts: factor.subjects.map((s) =>
      s.sumOf.length === 1
        ? { ...part(s.sumOf[0]!), label: s.label }
        : {
            label: s.label,
            column: layout.inputIndexes[s.sumOf[0]!]!,
            kind: "number" as const,
            inputs: s.sumOf,
            sumOf: { columns: s.sumOf.map((i) => layout.inputIndexes[i]!), read, decimal },
          },
    ),
  };
}

/** How input i's cells read in sentences: yes/no for a boolean input (or a numeric one the model only cuts between 0 and 1), numbers tidied, categories as written. */
export function inputKind(model: Pick<ChurnModel, "card" | "inputs">, i: number): CellKind {
  const spec = isTermTablesCard(model.card) ? (model.card.inputs[i] as ModelInputSpec | undefined) : undefined;
  if (spec) return specKind(spec);
  return model.inputs[i]?.kind === "number" ? "number" : "category";
}

export function specKind(spec: ModelInputSpec): CellKind {
  if (spec.role === "boolean") return "boolean";
  if (spec.role === "numeric")
    return spec.cuts.length > 0 && spec.cuts.every((c) => c > 0 && c < 1) ? "boolean" : "number";
  return "category";
}
