import { describe, expect, test } from "vitest";
import { createProgressBar } from "./progress-bar.ts";

/** A terminal that records what was drawn. */
function terminal(): { stream: NodeJS.WriteStream; frames: string[] } {
  const frames: string[] = [];
  const stream = { isTTY: true, write: (text: string) => frames.push(text) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, frames };
}

describe("the progress bar", () => {
  test("never runs backwards when progress arrives out of order (parts scored on several threads)", () => {
    const { stream, frames } = terminal();
    const bar = createProgressBar(stream);
    bar.update(98, 100, "98k rows", { final: true });
    bar.update(75, 100, "99k rows", { final: true });
    expect(frames.map((f) => /(\d+)%/.exec(f)?.[1])).toEqual(["98", "98"]);
    expect(frames[1]).toContain("99k rows");
  });

  test("without a terminal only the final message is written", () => {
    const frames: string[] = [];
    const bar = createProgressBar({
      isTTY: false,
      write: (text: string) => frames.push(text) > 0,
    } as unknown as NodeJS.WriteStream);
    bar.update(50, 100, "half");
    bar.finish("Done.");
    expect(frames).toEqual(["Done.\n"]);
  });
});
