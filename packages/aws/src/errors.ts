import { NotFoundError, RetainwiseError, TransientError } from "@retainwise/core";

/**
 * SDK errors become domain errors here, next to the calls: throttling, 5xx and network failures
 * are transient (the job is retried by redelivery); anything else is a permanent misconfiguration.
 */
export function translateAwsError(error: unknown, doing: string): RetainwiseError {
  if (error instanceof RetainwiseError) return error;
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown; code?: string };
  const status = e.$metadata?.httpStatusCode;
  if (e.name === "NoSuchKey" || e.name === "NotFound" || status === 404)
    return new NotFoundError(`The object for ${doing}`, { cause: error });
  if (e.name === "AbortError") return new TransientError("aws.aborted", `${doing} was aborted.`, { cause: error });
  const transient =
    e.$retryable !== undefined ||
    status === undefined ||
    status >= 500 ||
    status === 429 ||
    /Throttl|Timeout|ECONN|EPIPE|socket/i.test(`${e.name} ${e.code}`);
  return transient
    ? new TransientError("aws.unavailable", `AWS was unavailable while ${doing} (${e.name ?? "error"}).`, {
        cause: error,
      })
    : new RetainwiseError(
        "aws.failed",
        `AWS refused ${doing} (${e.name ?? "error"}${status ? `, HTTP ${status}` : ""}).`,
        { cause: error },
      );
}

export async function withAwsErrors<T>(doing: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateAwsError(error, doing);
  }
}
