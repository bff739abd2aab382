import * as v from "valibot";
import { isErrorCode, RetainwiseError, type ErrorCode, type ParameterName } from "@retainwise/core/errors";
import { ellipsize } from "@retainwise/core/text";

/** A schema whose every key is a `ParameterName`, so each has its `request.invalid_<key>` code in the closed list. */
type OnlyParameters<S extends { entries: v.ObjectEntries }> =
  Exclude<keyof S["entries"], ParameterName> extends never
    ? unknown
    : { "add request.invalid_<key> to ERROR_CODES for": Exclude<keyof S["entries"], ParameterName> };

/**
 * Parses `input` or answers 400 naming the field and what is wrong with it: `request.invalid_<key>`
 * for the top-level key to blame (`actionable` for `actionable.3` too), `request.invalid_body` when
 * no field is (a JSON body that is not an object), or `code` for schemas of another kind (a path id,
 * a header).
 */
export function parseOr400<S extends v.GenericSchema & { entries: v.ObjectEntries }>(
  schema: S & OnlyParameters<S>,
  input: unknown,
  where: string,
): v.InferOutput<S>;
export function parseOr400<S extends v.GenericSchema>(
  schema: S,
  input: unknown,
  where: string,
  code: ErrorCode,
): v.InferOutput<S>;
export function parseOr400(schema: v.GenericSchema, input: unknown, where: string, code?: ErrorCode): unknown {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const field = v.getDotPath(issue) ?? where;
  const key = issue.path?.[0]?.key;
  const named = `request.invalid_${String(key)}`;
  const parameterCode: ErrorCode = key !== undefined && isErrorCode(named) ? named : "request.invalid_body";
  throw new RetainwiseError(
    code ?? parameterCode,
    `The ${where} '${ellipsize(field)}' ${issue.message}, got ${ellipsize(described(issue.input))}.`,
  );
}

/** Nesting a JSON body may have: our bodies are flat; a deeper one is refused before it is parsed. */
export const MAX_JSON_DEPTH = 32;

/**
 * The request's JSON body, or undefined when it is not JSON (the schema then says what is missing);
 * 400 `request.invalid_body` when it nests deeper than `MAX_JSON_DEPTH`, which would otherwise
 * reach recursion limits in validation or in the error message.
 */
export async function jsonBody(request: Request): Promise<unknown> {
  const text = await request.text().catch(() => "");
  let depth = 0;
  let inString = false;
  for (let k = 0; k < text.length; k++) {
    const ch = text[k];
    if (inString) {
      if (ch === "\\") k++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "{" || ch === "[") {
      if (++depth > MAX_JSON_DEPTH)
        throw new RetainwiseError(
          "request.invalid_body",
          `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels; send a flat object.`,
        );
    } else if (ch === "}" || ch === "]") depth--;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A value as the error message shows it: JSON, or its type when it has none (undefined, a cycle). */
function described(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "nothing";
  } catch {
    return typeof value;
  }
}
