import type { FileHandle } from "node:fs/promises";
import type { Writable } from "node:stream";
import { write } from "./output.ts";
import type { PartsInOrder } from "./parallel.ts";

/** A growing file is read back in chunks of this size. */
const COPY_BYTES = 1024 * 1024;
const LF = 0x0a;

/**
 * Copies a file that may still be growing to `into`, a whole line at a time, positions resolved
 * with `order`. A placeholder never holds a newline, and a newline byte is never part of a longer
 * UTF-8 character, so text cut after its last newline resolves and decodes on its own.
 */
export class LineAppender {
  private copied = 0;
  private carry = Buffer.alloc(0);

  constructor(
    private readonly file: FileHandle,
    private readonly into: Writable,
    private readonly order: PartsInOrder,
  ) {}

  /** Copies the whole lines written so far. */
  async catchUp(): Promise<void> {
    for (;;) {
      // A fresh buffer each time: the output may hold on to what it was given until it is flushed.
      const chunk = Buffer.allocUnsafe(COPY_BYTES);
      const { bytesRead } = await this.file.read(chunk, 0, COPY_BYTES, this.copied);
      if (bytesRead === 0) return;
      this.copied += bytesRead;
      const pending =
        this.carry.length > 0
          ? Buffer.concat([this.carry, chunk.subarray(0, bytesRead)])
          : chunk.subarray(0, bytesRead);
      const cut = pending.lastIndexOf(LF) + 1;
      this.carry = Buffer.from(pending.subarray(cut));
      if (cut > 0) await write(this.into, this.order.resolveBytes(pending.subarray(0, cut)));
    }
  }

  /** Copies what follows the last newline, once the file is whole. */
  async end(): Promise<void> {
    if (this.carry.length > 0) await write(this.into, this.order.resolveBytes(this.carry));
  }
}

/** A count of events, and a wait for the next one that cannot miss one that came in between. */
export class Nudges {
  count = 0;
  private waiting: (() => void) | undefined;

  nudge(): void {
    this.count++;
    this.waiting?.();
  }

  /** Resolves once there has been an event after the `seen`th. */
  async after(seen: number): Promise<void> {
    if (this.count === seen) await new Promise<void>((resolve) => (this.waiting = resolve));
  }
}
