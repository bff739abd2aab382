import * as v from "valibot";
import { RetainwiseError, type ErrorCode } from "@retainwise/core/errors";
import { ellipsize } from "@retainwise/core/text";

/** Parses `input` or answers 400 naming the field and what is wrong with it (`code` overrides `request.invalid_<field>`). */
export function parseOr400<S extends v.GenericSchema>(schema: S, input: unknown, where: string, code?: ErrorCode): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = v.getDotPath(issue);
  const field = path ?? where;
  // The code names the parameter as a word (`request.invalid_body` when no field is to blame), never the free text of `where`.
  const named = (path ?? where.split(" ")[0]!).replace(/\W+/g, "_");
  throw new RetainwiseError(code ?? `request.invalid_${ellipsize(named)}` satisfies ErrorCode, `The ${where} '${ellipsize(field)}' ${issue.message}, got ${ellipsize(described(issue.input))}.`);
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
      if (++depth > MAX_JSON_DEPTH) throw new RetainwiseError("request.invalid_body", `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels; send a flat object.`);
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
