/**
 * The few SVG building blocks the server-rendered charts share (risk chart, model charts). Every
 * text and attribute goes through `escapeXml`: labels come from customers' column names and values.
 */
export function svg(width: number, height: number, title: string, desc: string, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" class="chart"><title>${escapeXml(title)}</title><desc>${escapeXml(desc)}</desc>${parts.join("")}</svg>`;
}

export function text(x: number, y: number, content: string, anchor: string, cls = "tick"): string {
  return el("text", { x, y, "text-anchor": anchor, class: cls }, escapeXml(content));
}

/** `inner` is markup: callers escape text they put in it (`text` and `escapeXml` do). */
export function el(tag: string, attrs: Record<string, string | number>, inner = ""): string {
  const attributes = Object.entries(attrs)
    .map(([name, value]) => ` ${name}="${escapeXml(String(typeof value === "number" ? round(value) : value))}"`)
    .join("");
  return `<${tag}${attributes}>${inner}</${tag}>`;
}

export function round(n: number): number {
  return Math.round(n * 100) / 100;
}

export function count(n: number): string {
  return n.toLocaleString("en-US");
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[ch]!);
}
