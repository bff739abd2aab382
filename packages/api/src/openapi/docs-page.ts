/**
 * `/docs`: the OpenAPI document as one readable page, with nothing to download (no CDN, no script:
 * the page's policy allows its inline style only). Operations are grouped by resource with a table
 * of contents; each lists its parameters, body and every status it answers, error codes included.
 */

type Json = Record<string, any>;

const METHOD_ORDER = ["get", "post", "put", "patch", "delete"];
const TAG_TITLES: Record<string, string> = {
  predictions: "Predictions",
  models: "Models",
  outcomes: "Outcomes",
  insights: "Insights",
  account: "Account",
  limits: "Limits",
  service: "Service: health and this document",
};

interface Operation {
  method: string;
  path: string;
  op: Json;
}

export function renderDocsPage(document: Json): string {
  const groups = new Map<string, Operation[]>();
  for (const [path, methods] of Object.entries(document.paths as Record<string, Json>)) {
    for (const method of Object.keys(methods).sort((a, b) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b))) {
      const op = methods[method] as Json;
      const tag = (op.tags?.[0] as string | undefined) ?? "service";
      groups.set(tag, [...(groups.get(tag) ?? []), { method, path, op }]);
    }
  }
  const ordered = [...groups].sort(([a], [b]) => tagRank(a) - tagRank(b));
  const toc = ordered
    .map(
      ([tag, ops]) =>
        `<li><a class="group" href="#${tag}">${escapeHtml(TAG_TITLES[tag] ?? tag)}</a><ul>${ops.map(({ method, path, op }) => `<li><a href="#${op.operationId}">${badge(method)}<code>${escapeHtml(path)}</code></a></li>`).join("")}</ul></li>`,
    )
    .join("");
  const sections = ordered
    .map(
      ([tag, ops]) =>
        `<section class="tag" id="${tag}"><h2>${escapeHtml(TAG_TITLES[tag] ?? tag)}</h2>${ops.map(operation).join("")}</section>`,
    )
    .join("\n");
  const schemas = Object.entries((document.components?.schemas ?? {}) as Record<string, Json>)
    .map(
      ([name, schema]) =>
        `<details id="schema-${name}"><summary><code>${escapeHtml(name)}</code></summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>`,
    )
    .join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>RetainWise API</title><link rel="icon" href="/favicon.ico" type="image/svg+xml"><style>${STYLE}</style></head>
<body><header class="top"><a href="/predictions">&larr; Back to RetainWise</a><span>RetainWise API v${escapeHtml(String(document.info?.version ?? ""))} · <a href="/openapi.json">openapi.json</a></span></header>
<div class="layout"><nav aria-label="Operations"><ul>${toc}<li><a class="group" href="#schemas">Schemas</a></li></ul></nav>
<main><h1>RetainWise API</h1>
<p>${prose(String(document.info?.description ?? ""))}</p>
<p>Upload with curl: <code>curl -H "Authorization: Bearer $KEY" -H "Content-Type: text/csv" --data-binary @customers.csv "$URL/v1/predictions?filename=customers.csv"</code> (without <code>?filename=</code> a raw upload is named <code>upload.csv</code>), or <code>curl -H "Authorization: Bearer $KEY" -F file=@customers.csv $URL/v1/predictions</code>, which keeps the file's name.</p>
<p>Endpoints marked <span class="lock">key</span> take <code>Authorization: Bearer &lt;api key&gt;</code>. Every error code, its kind and status: docs/ERRORS.md in the repository.</p>
${sections}
<section id="schemas"><h2>Schemas</h2>${schemas}</section></main></div></body></html>`;
}

function tagRank(tag: string): number {
  const rank = Object.keys(TAG_TITLES).indexOf(tag);
  return rank === -1 ? Object.keys(TAG_TITLES).length : rank;
}

function operation({ method, path, op }: Operation): string {
  const secured = (op.security as unknown[] | undefined)?.length
    ? `<span class="lock" title="Needs an API key">key</span>`
    : "";
  const parameters = (op.parameters ?? []) as Json[];
  const params = parameters.length
    ? `<h4>Parameters</h4><table><thead><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr></thead><tbody>${parameters
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code>${p.required ? ' <span class="req">required</span>' : ""}</td><td>${escapeHtml(p.in)}</td><td>${typeOf(p.schema)}</td><td>${prose(p.description ?? "")}</td></tr>`,
        )
        .join("")}</tbody></table>`
    : "";
  const body = op.requestBody
    ? `<h4>Body</h4><p>${Object.keys(op.requestBody.content)
        .map((m) => `<code>${escapeHtml(m)}</code>`)
        .join(" or ")}${bodyRef(op.requestBody.content)}</p>`
    : "";
  const responses = Object.entries(op.responses as Record<string, Json>)
    .map(([status, r]) => {
      const codes = (r["x-error-codes"] as string[] | undefined)
        ?.map((c) => `<code class="code">${escapeHtml(c)}</code>`)
        .join(" ");
      return `<tr><td><span class="status s${status[0]}">${status}</span></td><td>${codes ?? `${prose(r.description)}${r.content ? bodyRef(r.content) : ""}`}</td></tr>`;
    })
    .join("");
  return `<article class="op" id="${op.operationId}"><h3>${badge(method)}<code class="path">${escapeHtml(path)}</code>${secured}${op.deprecated ? '<span class="deprecated">deprecated</span>' : ""}</h3>
<p class="summary">${prose(op.summary)}</p>${op.description ? `<p>${prose(op.description)}</p>` : ""}${params}${body}<h4>Responses</h4><table class="responses"><tbody>${responses}</tbody></table></article>`;
}

function badge(method: string): string {
  return `<span class="method ${method}">${method.toUpperCase()}</span>`;
}

/** `: Prediction` linking to the schema, when the body is a named one. */
function bodyRef(content: Record<string, Json>): string {
  const ref = Object.values(content)
    .map((c) => (c.schema?.$ref ?? c.schema?.items?.$ref) as string | undefined)
    .find(Boolean);
  if (!ref) return "";
  const name = ref.split("/").pop()!;
  return ` <a href="#schema-${name}"><code>${escapeHtml(name)}</code></a>`;
}

function typeOf(schema: Json | undefined): string {
  if (!schema) return "";
  if (schema.enum) return (schema.enum as unknown[]).map((e) => `<code>${escapeHtml(String(e))}</code>`).join(" | ");
  const bounds = [
    schema.minimum !== undefined ? `≥ ${schema.minimum}` : "",
    schema.maximum !== undefined ? `≤ ${schema.maximum}` : "",
    schema.default !== undefined ? `default ${schema.default}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `${escapeHtml(String(schema.format ?? schema.type ?? ""))}${bounds ? ` <span class="muted">(${escapeHtml(bounds)})</span>` : ""}`;
}

/** Escaped text whose `backticks` become <code>. */
function prose(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);
}

const STYLE = `
:root{--ink:#1f2933;--muted:#616e7c;--line:#e4e7eb;--soft:#f5f7fa;--accent:#2f6fde;color-scheme:light}
*{box-sizing:border-box}body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
p code,td code,li code{background:var(--soft);border:1px solid var(--line);border-radius:4px;padding:0 .3em;overflow-wrap:anywhere}
pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;padding:.8rem;overflow:auto;font-size:.8em}
.top{position:sticky;top:0;z-index:2;display:flex;justify-content:space-between;gap:1rem;padding:.6rem 1.25rem;background:#102a43;color:#d9e2ec;font-size:.9em}
.top a{color:#fff}
.layout{display:grid;grid-template-columns:19rem minmax(0,1fr);max-width:88rem;margin:0 auto}
nav{position:sticky;top:2.6rem;align-self:start;max-height:calc(100vh - 2.6rem);overflow:auto;padding:1rem .75rem 2rem 1.25rem;border-right:1px solid var(--line);font-size:.82em}
nav ul{list-style:none;margin:0;padding:0}nav li{margin:.1rem 0}nav ul ul{margin:.2rem 0 .8rem}
nav a{display:flex;align-items:center;gap:.4rem;color:var(--ink);padding:.1rem .2rem;border-radius:4px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}
nav a:hover{background:var(--soft);text-decoration:none}nav a.group{font-weight:600;margin-top:.4rem}
nav code{background:none;border:0;padding:0;overflow:hidden;text-overflow:ellipsis}
main{padding:1.25rem 2rem 4rem;min-width:0}h1{margin:.2rem 0 .6rem;font-size:1.9rem}
h2{margin:2.2rem 0 .8rem;padding-bottom:.3rem;border-bottom:2px solid var(--line);font-size:1.35rem}
.op{border:1px solid var(--line);border-radius:8px;padding:.9rem 1.1rem;margin:0 0 1rem;scroll-margin-top:3.2rem}
.op h3{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem;margin:0 0 .3rem;font-size:1.02rem}
.op h3 .path{font-size:.95rem;word-break:break-all}.op .summary{font-weight:500;margin:.2rem 0}
.op h4{margin:.9rem 0 .3rem;font-size:.78rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted)}
.method{display:inline-block;min-width:3.7em;text-align:center;padding:.05em .4em;border-radius:4px;color:#fff;font:600 .72rem/1.6 ui-monospace,monospace}
.method.get{background:#2f6fde}.method.post{background:#1f8a4c}.method.put{background:#b7791f}.method.patch{background:#8b5cf6}.method.delete{background:#c53030}
.lock,.deprecated{font-size:.7rem;font-weight:600;border-radius:999px;padding:.05em .55em;border:1px solid #bcccdc;color:var(--muted)}
.deprecated{border-color:#f0b429;color:#8d6b00}
table{width:100%;border-collapse:collapse;font-size:.88em}td{overflow-wrap:break-word}th,td{text-align:left;vertical-align:top;padding:.35rem .5rem;border-top:1px solid var(--line)}
th{font-weight:600;color:var(--muted);font-size:.9em}.req{color:#c53030;font-size:.8em}.muted{color:var(--muted)}
.responses td:first-child{width:4.5rem}.status{display:inline-block;font:600 .8rem ui-monospace,monospace;padding:.05em .45em;border-radius:4px}
.status.s2,.status.s3{background:#e3f9e5;color:#0e5a2a}.status.s4{background:#fff3c4;color:#8d2b0b}.status.s5{background:#ffe3e3;color:#8a041a}
code.code{display:inline-block;margin:.1rem .15rem .1rem 0}
details{border:1px solid var(--line);border-radius:6px;margin:.4rem 0;padding:.3rem .7rem}summary{cursor:pointer;font-weight:600}
@media (max-width:60rem){.layout{grid-template-columns:1fr}nav{position:static;max-height:none;border-right:0;border-bottom:1px solid var(--line)}main{padding:1rem}.top{position:static;flex-wrap:wrap}.op{scroll-margin-top:.5rem}.op{padding:.7rem}th,td{padding:.3rem .3rem}}
`;
