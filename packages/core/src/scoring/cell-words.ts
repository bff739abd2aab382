/**
 * How one cell reads in a sentence a person acts on (reasons and retention actions, docs/MODEL.md
 * "Reasons"): a category as written, a number as written unless it is an export's float noise
 * (`120.86000000000001` -> `120.86`) or a whole number with a lone `.0` (`1.0` -> `1`), a 0/1 or
 * yes/no column as `yes` / `no`, and a blank as "not given".
 */

/** How a subject's cell is read: a category as written, a number, or a yes/no answer. */
export type CellKind = "category" | "number" | "boolean";

/** The word a blank cell reads as: `Total charges not given (+0.20)`. */
export const NOT_GIVEN = "not given";

const YES = new Set(["yes", "y", "true", "t", "1", "1.0"]);
const NO = new Set(["no", "n", "false", "f", "0", "0.0"]);

/** Significant digits of a computed number (a derived sum, a cut): `75.56`, `1374.54`. */
const COMPUTED_DIGITS = 6;
/** A cell with more significant digits than a float64 holds reliably is float noise of an export: shown at 15. */
const NOISE_DIGITS = 15;

/**
 * `Is tv subscriber` -> `Tv subscriber`, `Has cr card` -> `Cr card`: a yes/no subject reads
 * `Tv subscriber: no`, not `Is tv subscriber: no`.
 */
export function booleanLabel(label: string): string {
  const stripped = label.replace(/^(?:is|has|have|was|does|did)\s+/i, "");
  return stripped === "" ? label : stripped.charAt(0).toUpperCase() + stripped.slice(1);
}

/** `yes` / `no` for a yes/no cell (any case, 1/0, true/false, y/n), else undefined. */
export function yesNo(cell: string): "yes" | "no" | undefined {
  const text = cell.toLowerCase();
  return YES.has(text) ? "yes" : NO.has(text) ? "no" : undefined;
}

/** A trimmed, non-blank cell as the sentence shows it. */
export function cellValue(kind: CellKind, cell: string): string {
  switch (kind) {
    case "boolean":
      return yesNo(cell) ?? cell;
    case "number":
      return tidyNumber(cell);
    case "category":
      return cell;
  }
}

/**
 * A number cell as written, except `1.0` -> `1` (a whole column of numbers exported as floats
 * because of a blank) and float noise (`120.86000000000001` -> `120.86`), keeping the cell's
 * decimal separator.
 */
export function tidyNumber(cell: string): string {
  const whole = /^([-+]?\d+)[.,]0$/.exec(cell);
  if (whole) return whole[1]!;
  const digits = cell.replace(/^[-+]?0*|[.,]/g, "").length;
  if (digits <= NOISE_DIGITS || !/^[-+]?\d+[.,]\d+$/.test(cell)) return cell;
  const comma = cell.includes(",");
  const value = Number(cell.replace(",", "."));
  const shown = String(Number(value.toPrecision(NOISE_DIGITS)));
  return comma ? shown.replace(".", ",") : shown;
}

/** A number the scorer computed (a sum, a bin edge): at most 6 significant digits, in the file's decimal separator. */
export function computedNumber(value: number, decimal: "." | "," = "."): string {
  const shown = String(Number(value.toPrecision(COMPUTED_DIGITS)));
  return decimal === "," ? shown.replace(".", ",") : shown;
}
