/**
 * Numbers as customers' files write them: `56.95`, `56,95` (a European Excel export), `1,234.50`,
 * `1.234,50`, `1 234,50`, `$1,234.50`, `EUR 56,95`, `56,95 €`. A file uses one convention, so the
 * decimal separator is decided once per file from a sample of its cells (`detectNumberFormat`) and
 * every cell is then read with `parseNumber`, the same for training and scoring.
 *
 * @example
 *   const format = detectNumberFormat(["56,95", "1.889,50", "12"]); // { decimal: ",", decided: true }
 *   parseNumber(" € 1.234,50 ", format); // 1234.5
 */
export interface NumberFormat {
  /** The decimal separator; the other of `.` and `,` (and spaces, `'`) may group thousands. */
  decimal: "." | ",";
  /**
   * The sample showed which separator is the decimal one. When it did not (only integers, or only
   * `1,234`-like cells), a cell such as `1,234` could be 1234 or 1.234: it is a row error, not a guess.
   */
  decided: boolean;
}

/** A plain file: `1234.5`. */
export const POINT_DECIMAL: NumberFormat = { decimal: ".", decided: false };

/** Currency written before or after the amount. Codes are ISO 4217 in capitals. */
const CURRENCY =
  /^(?:[$€£¥₹]|(?:US|CA|AU|NZ|HK|S)\$|(?:EUR|USD|GBP|CHF|JPY|CAD|AUD|SEK|NOK|DKK|PLN|CZK|INR|CNY|BRL|ZAR)\b)\s*|\s*(?:[$€£¥₹]|\b(?:EUR|USD|GBP|CHF|JPY|CAD|AUD|SEK|NOK|DKK|PLN|CZK|INR|CNY|BRL|ZAR))$/g;

/**
 * Reads one cell: a finite number, NaN for a blank cell, or undefined when the cell is not a number
 * in this format (`numberProblem` says why, for the row's error). Plain cells (`42`, `56.95`) take
 * a fast path without regular expressions; the scorer calls this once per numeric cell.
 */
export function parseNumber(cell: string, format: NumberFormat): number | undefined {
  const plain = plainNumber(cell, format.decimal);
  if (plain !== undefined) return plain;
  const text = cell.trim();
  if (text === "") return Number.NaN;
  const parsed = readFormatted(text, format);
  return typeof parsed === "number" ? parsed : undefined;
}

/** Why `cell` is not a number under `format` (call only when parseNumber returned undefined). */
export function numberProblem(cell: string, format: NumberFormat): string {
  const parsed = readFormatted(cell.trim(), format);
  return typeof parsed === "number" ? "" : parsed.problem;
}

/**
 * Decides the file's decimal separator from sample cells (any cells: text that is not shaped like a
 * number gives no evidence). `56,95`, `1889,5`, `1.234,50` vote for a decimal comma; `56.95`,
 * `1,234.50` for a point; `1,234` and `1.234` are undecidable and do not vote. No vote: point.
 */
export function detectNumberFormat(cells: Iterable<string>): NumberFormat {
  let comma = 0;
  let point = 0;
  for (const cell of cells) {
    switch (decimalEvidence(cell)) {
      case ",":
        comma++;
        break;
      case ".":
        point++;
        break;
      case undefined:
        break;
    }
  }
  if (comma === 0 && point === 0) return POINT_DECIMAL;
  return { decimal: comma > point ? "," : ".", decided: true };
}

/** Which decimal separator a cell shows, if it shows one unambiguously. */
function decimalEvidence(cell: string): "." | "," | undefined {
  const { digits } = splitSign(cell.trim());
  if (!/^\d[\d.,' \u00a0\u202f]*\d$/.test(digits)) return undefined;
  const last = Math.max(digits.lastIndexOf("."), digits.lastIndexOf(","));
  if (last < 0) return undefined;
  const separator = digits.charAt(last) as "." | ",";
  const whole = digits.slice(0, last);
  const fraction = digits.slice(last + 1);
  if (!/^\d+$/.test(fraction) || whole.includes(separator)) return undefined;
  if (!/^\d+$/.test(whole) && GROUPED.exec(whole) === null) return undefined;
  // `1,234` / `1.234`: a thousands group or three decimals. `0,125` and `1234,567` are decimals.
  if (fraction.length === 3 && /^[1-9]\d{0,2}$/.test(whole)) return undefined;
  return separator;
}

/** `[-+]digits[.digits]` with the file's decimal separator, or undefined to take the slow path. */
function plainNumber(cell: string, decimal: "." | ","): number | undefined {
  const length = cell.length;
  if (length === 0 || length > 20) return undefined;
  let at = cell.charCodeAt(0) === 0x2d || cell.charCodeAt(0) === 0x2b ? 1 : 0;
  let digits = 0;
  let separator = -1;
  const decimalCode = decimal.charCodeAt(0);
  for (; at < length; at++) {
    const c = cell.charCodeAt(at);
    if (c >= 0x30 && c <= 0x39) digits++;
    else if (c === decimalCode && separator < 0) separator = at;
    else return undefined;
  }
  if (digits === 0 || separator === length - 1) return undefined;
  return Number(separator < 0 || decimal === "." ? cell : cell.slice(0, separator) + "." + cell.slice(separator + 1));
}

type Formatted = number | { problem: string };

/** An integer part written with thousands groups: `1,234,567`, `1 234`, `1'234` (one separator throughout). */
const GROUPED = /^\d{1,3}([.,' \u00a0\u202f])\d{3}(?:\1\d{3})*$/;

function readFormatted(text: string, format: NumberFormat): Formatted {
  if (text === "") return Number.NaN;
  const { sign, digits } = splitSign(text);
  if (digits === "") return { problem: "is not a number" };
  const { decimal } = format;
  const at = digits.lastIndexOf(decimal);
  const whole = at < 0 ? digits : digits.slice(0, at);
  const fraction = at < 0 ? "" : digits.slice(at + 1);
  if (at >= 0 && !/^\d+$/.test(fraction)) return { problem: "is not a number" };
  if (/^\d+$/.test(whole)) return sign * Number(`${whole}.${fraction || 0}`);
  const group = GROUPED.exec(whole)?.[1];
  if (group === undefined || group === decimal) {
    return /^\d+[.,]\d+$/.test(whole) && at < 0
      ? {
          problem: `is ambiguous: this file writes decimals with a ${decimal === "," ? "comma (56,95)" : "point (56.95)"}`,
        }
      : { problem: "is not a number" };
  }
  // `1,234` in a file whose numbers never showed the decimal separator: 1234 or 1.234?
  if (!format.decided && at < 0 && (group === "." || group === ",")) {
    return {
      problem: `is ambiguous: it could be ${whole.replaceAll(group, "")} or ${whole.replace(group, ".")} (write it without the thousands separator)`,
    };
  }
  return sign * Number(`${whole.replaceAll(group, "")}.${fraction || 0}`);
}

/** The sign (before or after a currency: `-$5`, `$-5`, `−5`) and the bare digits with separators. */
function splitSign(text: string): { sign: 1 | -1; digits: string } {
  let rest = stripCurrency(text);
  let sign: 1 | -1 = 1;
  const first = rest.charAt(0);
  if (first === "-" || first === "+" || first === "\u2212") {
    sign = first === "+" ? 1 : -1;
    rest = stripCurrency(rest.slice(1).trimStart());
  }
  return { sign, digits: rest };
}

function stripCurrency(text: string): string {
  return /[$€£¥₹A-Z]/.test(text) ? text.replace(CURRENCY, "").trim() : text;
}
