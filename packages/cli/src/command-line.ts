import { parseArgs, type ParseArgsConfig } from "node:util";
import { closestHeaders } from "@retainwise/core/csv";

/**
 * What the subcommands share about their command line: "did you mean" for a mistyped flag or
 * command, and one line for a file that cannot be read, instead of Node's `TypeError` and `ENOENT` text.
 */

/** `thread` among `threads`, `output` -> ` Did you mean --threads?` (matched as headers are: case and punctuation ignored); "" when nothing is close. */
export function didYouMean(typed: string, known: readonly string[], prefix = ""): string {
  const [closest] = closestHeaders(typed, known);
  return closest === undefined ? "" : ` Did you mean ${prefix}${closest}?`;
}

/**
 * `parseArgs` (strict) that answers a string saying what is wrong, naming the closest option,
 * instead of throwing: `unknown option --thread. Did you mean --threads?`.
 *
 * @example
 *   const parsed = parseCommandLine(argv, { output: { type: "string", short: "o" } });
 *   if (typeof parsed === "string") return usage(parsed);
 */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: O,
): ReturnType<typeof parseArgs<{ args: string[]; options: O; allowPositionals: true; strict: true }>> | string {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const unknown = /^Unknown option '(-{1,2}[^']+)'/.exec(error instanceof Error ? error.message : "");
    if (!unknown) return error instanceof Error ? error.message.split(". To specify")[0]! : String(error);
    return `unknown option ${unknown[1]}.${didYouMean(unknown[1]!.replace(/^-+/, ""), Object.keys(options), "--")}`;
  }
}

/** One line for a file we cannot read or write, instead of Node's `ENOENT: …, stat '…'`; undefined for other errors. */
export function fileProblem(error: unknown): string | undefined {
  const { code, path = "" } = (error ?? {}) as NodeJS.ErrnoException;
  if (code === "ENOENT") return `No such file or directory: ${path}`;
  if (code === "EACCES" || code === "EPERM") return `Permission denied: ${path}`;
  if (code === "EISDIR") return `${path} is a directory, not a file`;
  return undefined;
}
