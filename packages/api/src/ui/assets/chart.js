// @ts-check
// The risk picture as inline SVG built from the prediction's metrics: a 10-bin histogram of churn
// probabilities and the High/Medium/Low counts. Hand-written (~100 lines) instead of a charting
// library: two bar charts do not justify 60+ KB of someone else's code.

const SVG = "http://www.w3.org/2000/svg";
const BIN_COLORS = ["#1a9850", "#4eb265", "#86cb66", "#bfe37f", "#e8f0a0", "#fee491", "#fdbf6f", "#f88d52", "#e4553a", "#c2242b"];
const RISK_COLORS = { High: "#c2242b", Medium: "#f39c34", Low: "#1a9850" };
const RISK_LEVELS = /** @type {const} */ (["High", "Medium", "Low"]);

/**
 * @param {{histogram: number[], riskCounts: Record<string, number>}} metrics
 * @returns {HTMLElement}
 */
export function riskChart(metrics) {
  const wrap = document.createElement("div");
  wrap.className = "charts";
  wrap.append(histogram(metrics.histogram), riskBars(metrics.riskCounts));
  return wrap;
}

/** @param {number[]} bins */
function histogram(bins) {
  const [width, height, left, bottom, top] = [420, 240, 48, 40, 12];
  const plotH = height - bottom - top;
  const plotW = width - left - 8;
  const maxY = niceMax(Math.max(1, ...bins));
  const total = bins.reduce((a, b) => a + b, 0);
  const svg = svgRoot(width, height, "Churn probability histogram", `Customers per 10-point band of churn probability, ${total.toLocaleString("en-US")} in all.`);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const y = top + plotH * (1 - tick);
    svg.append(node("line", { x1: left, x2: width - 8, y1: y, y2: y, class: "grid" }));
    svg.append(text(left - 8, y + 4, Math.round(maxY * tick).toLocaleString("en-US"), "end"));
  }
  const barW = plotW / bins.length;
  bins.forEach((count, i) => {
    const h = (count / maxY) * plotH;
    const bar = node("rect", { x: left + i * barW + 2, y: top + plotH - h, width: barW - 4, height: Math.max(h, 0), rx: 2, fill: BIN_COLORS[i] ?? "#888" });
    bar.append(node("title", {}, `${i * 10}–${(i + 1) * 10}%: ${count.toLocaleString("en-US")} customers`));
    svg.append(bar);
  });
  for (let i = 0; i <= bins.length; i += 2) svg.append(text(left + i * barW, height - bottom + 18, `${i * 10}%`, "middle"));
  svg.append(text(left + plotW / 2, height - 4, "Churn probability", "middle", "axis-title"));
  return figure(svg, "Distribution of churn probabilities");
}

/** @param {Record<string, number>} counts */
function riskBars(counts) {
  const [width, rowH, labelW] = [340, 56, 78];
  const total = RISK_LEVELS.reduce((sum, level) => sum + (counts[level] ?? 0), 0);
  const max = Math.max(1, ...RISK_LEVELS.map((level) => counts[level] ?? 0));
  const summary = RISK_LEVELS.map((level) => `${level} ${counts[level] ?? 0}`).join(", ");
  const svg = svgRoot(width, rowH * 3 + 8, "Customers by risk level", summary);
  RISK_LEVELS.forEach((level, i) => {
    const count = counts[level] ?? 0;
    const y = 8 + i * rowH;
    const w = ((width - labelW - 120) * count) / max;
    svg.append(text(0, y + 24, level, "start", "risk-label"));
    svg.append(node("rect", { x: labelW, y: y + 8, width: Math.max(w, 2), height: 24, rx: 3, fill: RISK_COLORS[level], "data-level": level, "data-count": count }));
    const share = total ? ` (${((count / total) * 100).toFixed(1)}%)` : "";
    svg.append(text(labelW + Math.max(w, 2) + 8, y + 25, `${count.toLocaleString("en-US")}${share}`, "start", "risk-count"));
  });
  return figure(svg, "High, Medium and Low risk");
}

/** @param {number} width @param {number} height @param {string} title @param {string} desc */
function svgRoot(width, height, title, desc) {
  const id = `chart-${Math.random().toString(36).slice(2, 8)}`;
  const svg = node("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": `${id}-t ${id}-d`, class: "chart" });
  svg.append(node("title", { id: `${id}-t` }, title), node("desc", { id: `${id}-d` }, desc));
  return svg;
}

/** @param {SVGElement} svg @param {string} caption */
function figure(svg, caption) {
  const fig = document.createElement("figure");
  const cap = document.createElement("figcaption");
  cap.textContent = caption;
  fig.append(cap, svg);
  return fig;
}

/** @param {number} x @param {number} y @param {string} content @param {string} anchor @param {string} [cls] */
function text(x, y, content, anchor, cls = "tick") {
  return node("text", { x, y, "text-anchor": anchor, class: cls }, content);
}

/** @param {string} tag @param {Record<string, string | number>} attrs @param {string} [content] */
function node(tag, attrs, content) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) element.setAttribute(name, String(value));
  if (content != null) element.textContent = content;
  return element;
}

/** A round axis maximum (1, 2, 2.5 or 5 times a power of ten) at or above `n`. @param {number} n */
function niceMax(n) {
  const power = 10 ** Math.floor(Math.log10(n));
  return ([1, 2, 2.5, 5, 10].find((step) => step * power >= n) ?? 10) * power;
}
