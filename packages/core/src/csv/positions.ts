/**
 * How row, line and byte positions read in messages. Scoring a whole file, they are the numbers.
 * A part of a file scored apart (a range on a thread, a shard) does not know where it starts, so
 * it writes placeholders that are resolved once the parts before it are counted
 * (scoring/parallel.ts).
 */
export interface Positions {
  row(n: number): string;
  line(n: number): string;
  byte(n: number): string;
}

export const ABSOLUTE_POSITIONS: Positions = {
  row: String,
  line: String,
  byte: (n) => n.toLocaleString("en-US"),
};

/** NUL cannot occur in accepted text (the sniffer rejects it), so a placeholder cannot collide with data. */
export const RELATIVE_POSITIONS: Positions = {
  row: (n) => `\u0000r${n}\u0000`,
  line: (n) => `\u0000l${n}\u0000`,
  byte: (n) => `\u0000b${n}\u0000`,
};

// biome-ignore lint/suspicious/noControlCharactersInRegex: NUL brackets the placeholders because no CSV text can hold one.
const PLACEHOLDER = /\u0000([rlb])(\d+)\u0000/g;

/** Replaces RELATIVE_POSITIONS placeholders in `text`, given where the part starts. */
export function resolvePositions(text: string, before: { rows: number; lines: number; bytes: number }): string {
  if (!text.includes("\u0000")) return text;
  return text.replace(PLACEHOLDER, (_, kind: string, n: string) => {
    const local = Number(n);
    if (kind === "r") return ABSOLUTE_POSITIONS.row(local + before.rows);
    if (kind === "l") return ABSOLUTE_POSITIONS.line(local + before.lines);
    return ABSOLUTE_POSITIONS.byte(local + before.bytes);
  });
}
