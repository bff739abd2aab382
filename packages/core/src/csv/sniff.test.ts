import { describe, expect, it } from "vitest";
import { createUtf8Check, sniffCsv } from "./sniff.ts";

const text = (s: string) => new TextEncoder().encode(s);

describe("sniffCsv", () => {
  it.each([
    [",", "customerID,tenure,Contract\n1,2,Month-to-month\n"],
    [";", "customerID;tenure;Contract\n1;2,5;Month-to-month\n"],
    ["\t", "customerID\ttenure\tContract\n1\t2\tMonth-to-month\n"],
    ["|", "customerID|tenure|Contract\n1|2|Month-to-month\n"],
  ])("picks %j as the delimiter of the header line", (delimiter, csv) => {
    expect(sniffCsv(text(csv), true).delimiter).toBe(delimiter);
  });

  it("ignores delimiters inside quoted header names", () => {
    expect(sniffCsv(text('"a,b,c,d";"x";"y"\n1;2;3\n'), true).delimiter).toBe(";");
  });

  it("looks past a quoted newline in the header to the real end of the line", () => {
    expect(sniffCsv(text('"customer\nid";tenure;Contract\n1;2;3\n'), true).delimiter).toBe(";");
  });

  it("prefers the comma when no delimiter occurs (a one-column file)", () => {
    expect(sniffCsv(text("customerID\n1\n"), true).delimiter).toBe(",");
  });

  it("accepts a partial head that ends inside a multi-byte character", () => {
    const bytes = text("customerID;city\n1;Zürich €");
    expect(sniffCsv(bytes.subarray(0, bytes.length - 1), false).delimiter).toBe(";");
  });

  it("rejects the same truncated character when the head is the whole file", () => {
    const bytes = text("customerID;city\n1;Zürich €");
    expect(() => sniffCsv(bytes.subarray(0, bytes.length - 1), true)).toThrow(
      expect.objectContaining({ code: "csv.not_text" }),
    );
  });
});

describe("createUtf8Check", () => {
  const sample = text("id,city\n1,Zürich\n2,Kraków €\n3,東京 🚀\n");

  it("accepts valid UTF-8 split at every possible byte boundary", () => {
    for (let cut = 0; cut <= sample.length; cut++) {
      const utf8 = createUtf8Check();
      expect(utf8.check(sample.subarray(0, cut))).toBeNull();
      expect(utf8.check(sample.subarray(cut))).toBeNull();
      expect(utf8.end()).toBeNull();
    }
  });

  it("rejects a Windows-1252 byte in a later chunk and says roughly where", () => {
    const utf8 = createUtf8Check();
    expect(utf8.check(sample)).toBeNull();
    const error = utf8.check(Uint8Array.from([0x33, 0x2c, 0x43, 0x61, 0x66, 0xe9, 0x0a]));
    expect(error).toMatchObject({
      code: "csv.not_text",
      message: expect.stringContaining(`after about ${sample.length} bytes`),
    });
  });

  it("rejects a file that ends in the middle of a character", () => {
    const utf8 = createUtf8Check();
    expect(utf8.check(Uint8Array.from([0x61, 0xe2, 0x82]))).toBeNull();
    expect(utf8.end()).toMatchObject({ code: "csv.not_text" });
  });
});
