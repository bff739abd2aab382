/**
 * Layout preview only: serves the UI over a canned in-memory `/v1` so the pages can be designed
 * before the real API exists. Never used by tests (they run against `retainwise local`).
 *   packages/cli/node_modules/.bin/tsx packages/api/src/ui/preview.ts [port]
 */
import { readFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { uiRoutes } from "./index.ts";

const FIXTURE = new URL("../../../../tests/fixtures/telco-churn.csv", import.meta.url);
const predictions: Record<string, unknown>[] = [];
const startedAt = new Map<string, number>();
const failing = new Set<string>();

const app = new Hono();
app.use("/v1/*", async (c, next) => {
  if (c.req.header("Authorization") !== "Bearer preview-key") return c.json({ error: { code: "UNAUTHORIZED", message: "Missing or unknown API key." } }, 401);
  await next();
});
app.get("/v1/limits", (c) => c.json({ maxUploadBytes: 50 * 1024 * 1024 }));
app.post("/v1/predictions", async (c) => {
  const body = await c.req.parseBody();
  const file = body.file;
  if (!(file instanceof File)) return c.json({ error: { code: "MISSING_FILE", message: "Send the CSV as multipart field 'file'." } }, 400);
  const head = new Uint8Array(await file.slice(0, 512).arrayBuffer());
  if (head.includes(0)) return c.json({ error: { code: "UNSUPPORTED_MEDIA_TYPE", message: `${file.name} is not CSV text (it contains binary data). Upload a comma-separated text file.` } }, 415);
  const id = `pred_${Date.now().toString(36)}`;
  if (!new TextDecoder().decode(head).includes("customerID")) failing.add(id);
  const p = { id, status: "QUEUED", inputFilename: file.name, createdAt: new Date().toISOString(), progress: { rowsProcessed: 0, rowsTotal: null, percent: null }, metrics: null, error: null };
  predictions.unshift(p);
  startedAt.set(id, Date.now());
  return c.json(p, 202);
});
app.get("/v1/predictions", (c) => c.json({ items: predictions.map(advance), nextCursor: null }));
app.get("/v1/predictions/:id", (c) => {
  const p = predictions.find((x) => x.id === c.req.param("id"));
  return p ? c.json(advance(p)) : c.json({ error: { code: "NOT_FOUND", message: "No such prediction." } }, 404);
});
app.get("/v1/predictions/:id/download", (c) => c.json({ url: `/preview-download/${c.req.param("id")}`, filename: "scored.csv", expiresAt: new Date().toISOString() }));
app.delete("/v1/predictions/:id", (c) => {
  const index = predictions.findIndex((x) => x.id === c.req.param("id"));
  predictions.splice(index, 1);
  return c.body(null, 204);
});
app.get("/preview-download/:id", (c) => c.body(readFileSync(FIXTURE, "utf8"), 200, { "Content-Type": "text/csv", "Content-Disposition": 'attachment; filename="scored.csv"' }));
app.route("/", uiRoutes());

/** Walks a prediction through QUEUED -> RUNNING -> COMPLETED over six seconds. */
function advance(p: Record<string, unknown>) {
  const elapsed = Date.now() - (startedAt.get(p.id as string) ?? 0);
  if (elapsed < 1000) return p;
  if (failing.has(p.id as string)) return Object.assign(p, { status: "FAILED", error: { code: "MISSING_COLUMNS", message: "The file has no customerID column. Add the columns listed in docs/MODEL.md and upload it again." } });
  const rowsTotal = 5626;
  const percent = Math.min(100, ((elapsed - 1000) / 5000) * 100);
  if (percent < 100) return Object.assign(p, { status: "RUNNING", progress: { rowsProcessed: Math.round((rowsTotal * percent) / 100), rowsTotal, percent } });
  return Object.assign(p, { status: "COMPLETED", progress: { rowsProcessed: rowsTotal, rowsTotal, percent: 100 }, metrics: METRICS });
}

const METRICS = {
  rowsScored: 5626, rowsFailed: 0, meanProbability: 0.2651, modelVersion: "churn-v1",
  riskCounts: { High: 1032, Medium: 1410, Low: 3184 },
  histogram: [1650, 820, 610, 520, 480, 430, 390, 330, 250, 146],
  rowErrors: [],
  topRisks: Array.from({ length: 20 }, (_, i) => ({
    customerId: `${7590 + i * 13}-VHVEG`, probability: 0.91 - i * 0.007, riskLevel: "High",
    riskFactors: ["Month-to-month contract", "Fiber optic internet", "Electronic check payment"].slice(0, 1 + (i % 3)),
    protectiveFactors: i % 2 ? ["Long tenure"] : [],
  })),
};

const port = Number(process.argv[2] ?? 8790);
serve({ fetch: app.fetch, port }, () => process.stdout.write(`Preview at http://localhost:${port} (key: preview-key)\n`));
