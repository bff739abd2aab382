import { parseArgs } from "node:util";
import { runSmoke } from "../smoke.ts";

export const summary = "Check a running service end to end (smoke --url URL --key KEY)";

export const help = `Usage: retainwise smoke --url URL --key KEY [--timeout SECONDS]

Checks a running RetainWise end to end, as a customer uses it: GET /healthz, uploads a built-in
sample of 5 customers, waits until it is scored, downloads the result, checks every row has a
probability, and deletes the prediction. Prints one line, "smoke: OK …" or "smoke: FAILED at
<step> …", and exits 0 or 1. The key can also come from RETAINWISE_SMOKE_KEY (keeps it out of
shell history and CI logs).

Options:
  --url URL          The service's base URL, e.g. https://api.example.com
  --key KEY          An API key of the account to test with
  --timeout SECONDS  How long to wait for the job (default 300)`;

/** Exit 0 when the round trip worked, 1 when it did not, 2 on bad usage. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { url: { type: "string" }, key: { type: "string" }, timeout: { type: "string" } },
  });
  const key = values.key ?? process.env.RETAINWISE_SMOKE_KEY;
  const timeoutSeconds = Number(values.timeout ?? 300);
  if (!values.url || !key || !/^https?:\/\//.test(values.url) || !(timeoutSeconds > 0)) {
    process.stderr.write(
      `retainwise smoke: expected --url http(s)://… and --key KEY (or RETAINWISE_SMOKE_KEY), and a positive --timeout.\n\n${help}\n`,
    );
    return 2;
  }
  const result = await runSmoke({
    url: values.url,
    key,
    timeoutSeconds,
    onStep: (step) => process.stderr.write(`smoke: ${step}…\n`),
  });
  process.stdout.write(result.verdict + "\n");
  return result.ok ? 0 : 1;
}
