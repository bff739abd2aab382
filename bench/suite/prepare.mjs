/**
 * The suite's tables as CSV files: installs the Debian packages they come from (only the missing
 * ones), and exports each table once into bench/out/suite/<name>.csv. An export is redone only
 * when its manifest entry changed, so a re-run costs nothing and an edited entry is never stale.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const here = new URL(".", import.meta.url).pathname;
/** The peers' runtime, needed by every run. */
const PEER_PACKAGES = ["python3-sklearn", "python3-xgboost", "python3-pandas"];

/** Tables of the suite manifest, each `{ name, csv, label, positive, source }`. */
export function suiteTables(outDir, log) {
  const manifest = JSON.parse(readFileSync(join(here, "tables.json"), "utf8"));
  return manifest.tables.map((entry) => ({
    name: entry.name,
    label: entry.label,
    positive: entry.positive,
    source: `${entry.debian}: ${entry.r ? entry.r.join("::") : `sklearn.datasets.${entry.sklearn}`}`,
    export: () => exportTable(entry, manifest.maxRows, outDir, log),
    packages: entry.r ? ["r-base-core", entry.debian] : [entry.debian],
  }));
}

/** The dev tables of issue 10, read in place; absent when the shared data folder is not there. */
export function sharedTables(dataDir) {
  if (!dataDir || !existsSync(dataDir)) return [];
  const manifest = JSON.parse(readFileSync(join(here, "shared.json"), "utf8"));
  return manifest.tables.map((entry) => {
    const csv = join(dataDir, entry.file);
    return {
      name: entry.name,
      label: entry.label,
      positive: entry.positive,
      source: `shared: ${entry.file}`,
      export: () => csv,
      packages: [],
    };
  });
}

export function installPackages(tables, log) {
  const wanted = [...new Set([...PEER_PACKAGES, ...tables.flatMap((t) => t.packages)])];
  const missing = wanted.filter((name) => !isInstalled(name));
  if (missing.length === 0) return;
  log(`apt-get install -y ${missing.join(" ")}`);
  execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

function isInstalled(name) {
  try {
    return execFileSync("dpkg-query", ["-W", "-f=${Status}", name], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).includes("install ok installed");
  } catch {
    return false;
  }
}

function exportTable(entry, maxRows, outDir, log) {
  const csv = join(outDir, `${entry.name}.csv`);
  const stamp = join(outDir, `${entry.name}.spec.json`);
  const spec = JSON.stringify({ ...entry, maxRows });
  if (existsSync(csv) && existsSync(stamp) && readFileSync(stamp, "utf8") === spec) return csv;
  log(`export ${entry.name}`);
  if (entry.r) {
    const [pkg, dataset] = entry.r;
    execFileSync(
      "Rscript",
      [join(here, "export.R"), pkg, dataset, csv, (entry.drop ?? []).join(","), entry.derive ?? "", String(maxRows)],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
  } else {
    execFileSync("/usr/bin/python3", [join(here, "export-sklearn.py"), entry.sklearn, entry.label, csv], {
      stdio: ["ignore", "ignore", "pipe"],
    });
  }
  writeFileSync(stamp, spec);
  return csv;
}
