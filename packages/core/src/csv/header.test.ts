import { PassThrough } from "node:stream";
import { describe, expect, test } from "vitest";
import { headerRow, readHeader } from "./header.ts";
import { replay } from "./reader.ts";

async function collect(chunks: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts).toString();
}

describe("readHeader", () => {
  test("resolves once the header row is in, without waiting for more of a slow upload, and replays every byte", async () => {
    const input = new PassThrough();
    input.write('customerID,"Monthly\ncharges",tenure\nA-1,');
    const head = await readHeader(input);
    expect(head.complete).toBe(false);
    expect(headerRow(head)).toEqual(["customerID", "Monthly\ncharges", "tenure"]);
    input.end("3,4\n");
    expect(await collect(replay(head))).toBe('customerID,"Monthly\ncharges",tenure\nA-1,3,4\n');
  });

  test("waits past a newline inside quotes and past leading blank lines, which the reader skips", async () => {
    const input = new PassThrough();
    input.write('\r\n\ncustomerID;"Plan\n');
    let done = false;
    const reading = readHeader(input).then((head) => {
      done = true;
      return head;
    });
    // It has read all there is, and still waits for the rest of the header.
    await expect.poll(() => input.readableLength).toBe(0);
    await new Promise(setImmediate);
    expect(done).toBe(false);
    input.end('type";tenure\nA-1;Pro;3\n');
    expect(headerRow(await reading)).toEqual(["customerID", "Plan\ntype", "tenure"]);
  });
});
