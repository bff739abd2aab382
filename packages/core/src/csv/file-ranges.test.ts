import { parse } from "csv-parse/sync";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rangeShares } from "../scoring/ranges.ts";
import { cutIntoRanges } from "./file-ranges.ts";

const dir = mkdtempSync(join(tmpdir(), "rw-file-ranges-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const COMMA = ",".charCodeAt(0);

/** Records whose every third note is quoted with newlines, commas and doubled quotes in it: a cut by newline alone would land inside them. */
function writeCsv(name: string, rows: number): { path: string; headerEnd: number; text: string } {
  const header = "id,note,amount\n";
  let text = header;
  for (let i = 0; i < rows; i++)
    text +=
      i % 3 === 0 ? `C${i},"line one\nline ""two"", ${"x".repeat(i % 50)}\r\nthree",${i}\n` : `C${i},plain ${i},${i}\n`;
  const path = join(dir, name);
  writeFileSync(path, text);
  return { path, headerEnd: header.length, text };
}

describe("cutting a file on disk into ranges", () => {
  const file = writeCsv("quoted.csv", 60_000);
  const whole = parse(file.text.slice(file.headerEnd)) as string[][];

  it.each([2, 3, 4])(
    "gives ranges of whole records that parse on their own into the file's records, in order (%i threads)",
    async (threads) => {
      const ranges = (await cutIntoRanges(file.path, file.headerEnd, rangeShares(threads), COMMA))!;
      expect(ranges.length).toBeGreaterThan(threads);
      expect(ranges[0]!.start).toBe(file.headerEnd);
      expect(ranges.at(-1)!.end).toBe(Buffer.byteLength(file.text));
      const bytes = readFileSync(file.path);
      const records = ranges.flatMap((range, i) => {
        if (i > 0) expect(range.start).toBe(ranges[i - 1]!.end);
        expect(range.end).toBeGreaterThan(range.start);
        return parse(bytes.subarray(range.start, range.end)) as string[][];
      });
      expect(records).toEqual(whole);
    },
  );

  it("cuts each range within a few records of its share of the file", async () => {
    const shares = rangeShares(2);
    const ranges = (await cutIntoRanges(file.path, file.headerEnd, shares, COMMA))!;
    const data = Buffer.byteLength(file.text) - file.headerEnd;
    expect(ranges).toHaveLength(shares.length);
    ranges.slice(0, -1).forEach((range, i) => {
      expect(Math.abs((range.end - range.start) / data - shares[i]!)).toBeLessThan(0.002);
    });
  });

  it("gives fewer ranges when the file is too short for every cut, and never an empty one", async () => {
    const small = writeCsv("small.csv", 40);
    const ranges = (await cutIntoRanges(small.path, small.headerEnd, rangeShares(4), COMMA))!;
    expect(ranges.length).toBeGreaterThanOrEqual(1);
    for (const range of ranges) expect(range.end).toBeGreaterThan(range.start);
    expect(
      ranges.flatMap((range) => parse(readFileSync(small.path).subarray(range.start, range.end)) as string[][]),
    ).toEqual(parse(small.text.slice(small.headerEnd)));
  });

  it("does not cut a file in which a quote opened early never closes: one stream reports it", async () => {
    const broken = join(dir, "unclosed.csv");
    const lines = Array.from({ length: 900_000 }, (_, i) => `C${i},plain ${i},${i}`);
    lines[10] = 'C10,"never closed,10';
    writeFileSync(broken, `id,note,amount\n${lines.join("\n")}\n`);
    expect(readFileSync(broken).length).toBeGreaterThan(16 * 1024 * 1024);
    expect(await cutIntoRanges(broken, 15, rangeShares(2), COMMA)).toBeUndefined();
  });
});
