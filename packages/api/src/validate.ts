import * as v from "valibot";
import { RetainwiseError, type ErrorCode } from "@retainwise/core/errors";
import { ellipsize } from "@retainwise/core/text";

/** Parses `input` or answers 400 naming the field and what is wrong with it (`code` overrides `request.invalid_<field>`). */
export function parseOr400<S extends v.GenericSchema>(schema: S, input: unknown, where: string, code?: ErrorCode): v.InferOutput<S> {
  const result = v.safeParse(schema, input);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const field = v.getDotPath(issue) ?? where;
  throw new RetainwiseError(code ?? `request.invalid_${ellipsize(field)}` satisfies ErrorCode, `The ${where} '${ellipsize(field)}' ${issue.message}, got ${ellipsize(JSON.stringify(issue.input) ?? "nothing")}.`);
}
