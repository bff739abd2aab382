import * as v from "valibot";

/**
 * `retainwise smoke`: one scoring round trip against a running service, as a customer makes it —
 * health, upload, wait, download, check, delete. Used by the deploy pipeline after each stage's
 * deploy and by people checking a stage by hand.
 */
export interface SmokeOptions {
  url: string;
  key: string;
  timeoutSeconds: number;
  /** Called once per step with its name, for progress output. */
  onStep?: (step: string) => void;
}

export interface SmokeResult {
  ok: boolean;
  /** The one-line verdict. */
  verdict: string;
}

/** A built-in sample in the Telco layout the model expects; made-up customers. */
const SAMPLE_HEADER =
  "customerID,gender,SeniorCitizen,Partner,Dependents,tenure,PhoneService,MultipleLines,InternetService,OnlineSecurity,OnlineBackup,DeviceProtection,TechSupport,StreamingTV,StreamingMovies,Contract,PaperlessBilling,PaymentMethod,MonthlyCharges,TotalCharges";
const SAMPLE_ROWS = [
  "SMOKE-0001,Female,0,Yes,No,1,No,No phone service,DSL,No,Yes,No,No,No,No,Month-to-month,Yes,Electronic check,29.85,29.85",
  "SMOKE-0002,Male,0,No,No,45,No,No phone service,DSL,Yes,No,Yes,Yes,No,No,One year,No,Bank transfer (automatic),42.3,1840.75",
  "SMOKE-0003,Female,1,No,No,2,Yes,No,Fiber optic,No,No,No,No,No,No,Month-to-month,Yes,Electronic check,70.7,151.65",
  "SMOKE-0004,Male,0,Yes,Yes,72,Yes,Yes,Fiber optic,Yes,Yes,Yes,Yes,Yes,Yes,Two year,No,Credit card (automatic),115.5,8312.4",
  "SMOKE-0005,Female,0,No,Yes,12,Yes,No,No,No internet service,No internet service,No internet service,No internet service,No internet service,No internet service,One year,No,Mailed check,19.95,239.4",
];
export const SMOKE_SAMPLE = [SAMPLE_HEADER, ...SAMPLE_ROWS].join("\n") + "\n";

const Prediction = v.object({
  id: v.string(),
  status: v.string(),
  error: v.nullish(v.object({ code: v.string(), message: v.string() })),
});
const Download = v.object({ url: v.string() });
const TERMINAL = ["COMPLETED", "FAILED", "CANCELED"];
const POLL_MS = 1_000;

class SmokeFailure extends Error {}

export async function runSmoke(options: SmokeOptions): Promise<SmokeResult> {
  const base = options.url.replace(/\/+$/, "");
  const started = Date.now();
  let step = "health";
  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(path.startsWith("http") ? path : base + path, {
      ...init,
      headers: { authorization: `Bearer ${options.key}`, ...(init.headers ?? {}) },
      signal: AbortSignal.timeout(60_000),
    });
    if (!response.ok)
      throw new SmokeFailure(
        `HTTP ${response.status} from ${init.method ?? "GET"} ${path}: ${(await response.text()).slice(0, 200)}`,
      );
    return response;
  };
  const json = async <T>(schema: v.GenericSchema<unknown, T>, response: Response) => {
    const parsed = v.safeParse(schema, await response.json().catch(() => undefined));
    if (!parsed.success) throw new SmokeFailure(`unexpected answer from ${response.url}`);
    return parsed.output;
  };
  const next = (name: string) => {
    step = name;
    options.onStep?.(name);
  };
  let id: string | undefined;
  try {
    next("health");
    await call("/healthz");
    next("upload");
    id = (
      await json(
        Prediction,
        await call("/v1/predictions", { method: "POST", headers: { "content-type": "text/csv" }, body: SMOKE_SAMPLE }),
      )
    ).id;
    next("wait");
    const deadline = started + options.timeoutSeconds * 1000;
    let prediction = await json(Prediction, await call(`/v1/predictions/${id}`));
    while (!TERMINAL.includes(prediction.status)) {
      if (Date.now() > deadline)
        throw new SmokeFailure(`still ${prediction.status} after ${options.timeoutSeconds} s (are workers running?)`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      prediction = await json(Prediction, await call(`/v1/predictions/${id}`));
    }
    if (prediction.status !== "COMPLETED")
      throw new SmokeFailure(
        `the job ended ${prediction.status}${prediction.error ? `: ${prediction.error.code} ${prediction.error.message}` : ""}`,
      );
    next("download");
    const link = await json(Download, await call(`/v1/predictions/${id}/download`));
    const scored = await (await fetch(new URL(link.url, base + "/"), { signal: AbortSignal.timeout(60_000) })).text();
    next("check");
    checkScored(scored);
    next("delete");
    await call(`/v1/predictions/${id}`, { method: "DELETE" });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    return {
      ok: true,
      verdict: `smoke: OK — ${SAMPLE_ROWS.length} rows scored and downloaded from ${base} in ${seconds} s`,
    };
  } catch (error) {
    const why =
      error instanceof SmokeFailure
        ? error.message
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error);
    return { ok: false, verdict: `smoke: FAILED at ${step}${id ? ` (prediction ${id})` : ""} — ${why}` };
  }
}

/** One scored line per sample row, in order, each with its id and a probability between 0 and 1. */
function checkScored(csv: string): void {
  const [header = "", ...lines] = csv.trimEnd().split(/\r?\n/);
  const column = header.split(",").findIndex((name) => /probability/i.test(name));
  if (column < 0) throw new SmokeFailure(`the result has no probability column (header "${header.slice(0, 80)}")`);
  if (lines.length !== SAMPLE_ROWS.length)
    throw new SmokeFailure(`the result has ${lines.length} rows, expected ${SAMPLE_ROWS.length}`);
  lines.forEach((line, i) => {
    const fields = line.split(",");
    const p = Number(fields[column]);
    if (fields[0] !== `SMOKE-000${i + 1}` || !(p >= 0 && p <= 1))
      throw new SmokeFailure(`row ${i + 1} is not a scored sample row: "${line.slice(0, 60)}"`);
  });
}
