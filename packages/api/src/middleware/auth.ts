import type { MiddlewareHandler } from "hono";
import { RetainwiseError } from "@retainwise/core/errors";
import type { AccountRepository } from "@retainwise/core/accounts";
import type { ApiEnv } from "../env.ts";

const HOW =
  "Send your API key as 'Authorization: Bearer <api key>' (create one with 'retainwise keys create --account NAME').";

/**
 * Bearer API keys: every handler after this runs as exactly one account. Mounted once, on `/v1/*`
 * (routes/v1.ts).
 */
export function bearerAuth(accounts: AccountRepository): MiddlewareHandler<ApiEnv> {
  return async function bearerAuthMiddleware(c, next) {
    const header = c.req.header("Authorization");
    if (!header) throw new RetainwiseError("auth.missing", `This endpoint needs an API key. ${HOW}`);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new RetainwiseError("auth.malformed", `The Authorization header is not a Bearer token. ${HOW}`);
    const account = await accounts.authenticate(match[1]!);
    if (!account)
      throw new RetainwiseError(
        "auth.invalid",
        "This API key is not valid (unknown or revoked). Check it, or create a new one.",
      );
    c.set("account", account);
    await next();
  };
}
