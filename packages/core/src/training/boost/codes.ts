import type { TermModel } from "../../model/term-model.ts";
import { assertNever } from "../../model/term-model.ts";
import type { TrainingTable } from "../table.ts";

/**
 * The ONNX codes (docs/MODEL-FORMAT.md) of some rows of a training table for a model fitted on it,
 * row-major `[rows.length, inputs]`: the number for numerics, the model's level index for
 * categoricals (`categories.length` for a folded or unseen level), NaN for blank. Feeds the
 * reference scorer (`scoreTermModel`) or the exported ONNX model with rows the fit never saw.
 *
 * @example scoreTermModel(model, tableCodes(model, table, heldOutRows), heldOutRows.length)
 */
export function tableCodes(model: TermModel, table: TrainingTable, rows: ArrayLike<number>): Float64Array {
  const width = model.inputs.length;
  const codes = new Float64Array(rows.length * width);
  model.inputs.forEach((spec, i) => {
    const column = table.inputs[i]!;
    if (column.name !== spec.name)
      throw new Error(`Input ${i} of the model is ${spec.name}, of the table ${column.name}`);
    switch (column.role) {
      case "numeric":
        for (let k = 0; k < rows.length; k++) codes[k * width + i] = column.values[rows[k]!]!;
        return;
      case "categorical":
      case "boolean": {
        const kept = spec.role === "numeric" ? [] : spec.categories;
        const position = new Map(kept.map((name, k) => [name, k]));
        const levelCode = column.categories.map((name) => position.get(name) ?? kept.length);
        for (let k = 0; k < rows.length; k++) {
          const c = column.codes[rows[k]!]!;
          codes[k * width + i] = c < 0 ? NaN : levelCode[c]!;
        }
        return;
      }
      default:
        assertNever(column);
    }
  });
  return codes;
}
