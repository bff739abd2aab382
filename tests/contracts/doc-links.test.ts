/**
 * Every relative link in README.md and docs/*.md names a file that exists and, with `#anchor`, a
 * heading that file has (GitHub's anchors), so a doc that moves or a heading that is renamed breaks
 * here rather than for a reader.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, test } from "vitest";

const ROOT = new URL("../../", import.meta.url).pathname;
const DOCS = [
  "README.md",
  ...readdirSync(join(ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => join("docs", name)),
];

/** GitHub's anchor of a heading: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchors(markdown: string): Set<string> {
  const headings = [...outsideCode(markdown).matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchorOf(m[1]!));
  return new Set(headings);
}

/** The text with fenced code blocks blanked: a `# comment` in a shell block is not a heading, a link in one is not a link. */
function outsideCode(markdown: string): string {
  return markdown.replace(/^```[\s\S]*?^```/gm, "");
}

function links(markdown: string): string[] {
  return [...outsideCode(markdown).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z]+:/.test(target));
}

describe("doc links", () => {
  test("there are docs with links to check", () => {
    expect(DOCS).toEqual(expect.arrayContaining(["README.md", "docs/ARCHITECTURE.md", "docs/BENCHMARKS.md"]));
    expect(links(readFileSync(join(ROOT, "README.md"), "utf8")).length).toBeGreaterThan(5);
  });

  test("an anchor is GitHub's", () => {
    expect(anchorOf("Measured: ours vs scikit-learn and XGBoost on tables it has never seen")).toBe(
      "measured-ours-vs-scikit-learn-and-xgboost-on-tables-it-has-never-seen",
    );
    expect(anchorOf("Card (fields beyond the common ones)")).toBe("card-fields-beyond-the-common-ones");
    expect(anchorOf("`sst dev`")).toBe("sst-dev");
  });

  test.each(DOCS)("%s links only to files and headings that exist", (doc) => {
    const text = readFileSync(join(ROOT, doc), "utf8");
    const broken: string[] = [];
    for (const target of links(text)) {
      const [path, anchor] = target.split("#") as [string, string | undefined];
      const file = path === "" ? join(ROOT, doc) : join(ROOT, dirname(doc), path);
      if (!existsSync(file)) {
        broken.push(`${target}: no file ${relative(ROOT, file)}`);
        continue;
      }
      if (anchor !== undefined && file.endsWith(".md") && !anchors(readFileSync(file, "utf8")).has(anchor))
        broken.push(`${target}: no heading #${anchor}`);
    }
    expect(broken).toEqual([]);
  });
});
