import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { firstRecordEnd, lastRecordEnd } from "./records.ts";

const COMMA = 0x2c;
const last = (text: string) => lastRecordEnd(Buffer.from(text), COMMA);
const first = (text: string) => firstRecordEnd(Buffer.from(text), COMMA);

describe("record ends in raw CSV bytes", () => {
  it("cut after the last newline, CRLF included", () => {
    expect(last("a,b\n1,2\n3,")).toBe(8);
    expect(last("a,b\r\n1,2\r\n")).toBe(10);
    expect(first("a,b\r\n1,2\r\n")).toBe(5);
  });

  it("skip newlines inside quoted fields and escaped quotes", () => {
    expect(last('a,b\n1,"x\ny"\n2,"p')).toBe(12);
    expect(last('1,"say ""hi""\nthere"\n2,')).toBe(21);
    expect(first('"multi\nline",b\n1,2\n')).toBe(15);
  });

  it("do not open a quote in the middle of a field, as csv-parse does not", () => {
    expect(last('id,screen\n1,12" tv\n2,ok\n3')).toBe(24);
  });

  it("report no whole record, or an undecidable closing quote at the very end", () => {
    expect(last("a,b")).toBe(-1);
    expect(last('1,"open\nstill open')).toBe(-1);
    expect(last('1,2\n3,"x"')).toBe(4);
    expect(first("")).toBe(-1);
  });

  it("cut only where csv-parse would see a record boundary", () => {
    const rows = Array.from({ length: 200 }, (_, i) => [
      `c${i}`,
      i % 3 === 0 ? `multi\nline "quoted" ${i}` : `plain ${i}`,
      i % 5 === 0 ? `a,b` : `${i}`,
    ]);
    const text =
      rows.map((r) => r.map((f) => (/[",\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(",")).join("\n") +
      "\n";
    const bytes = Buffer.from(text);
    for (const size of [1, 7, 64, 333, 1000]) {
      const pieces: Buffer[] = [];
      const rest = bytes;
      let pending = Buffer.alloc(0);
      for (let at = 0; at < rest.length; at += size) {
        pending = Buffer.concat([pending, rest.subarray(at, at + size)]);
        const end = lastRecordEnd(pending, COMMA);
        if (end > 0) {
          pieces.push(pending.subarray(0, end));
          pending = pending.subarray(end);
        }
      }
      expect(pending.length).toBe(0);
      expect(pieces.flatMap((p) => parse(p) as string[][])).toEqual(rows);
    }
  });
});
