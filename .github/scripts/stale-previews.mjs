#!/usr/bin/env node
// Which preview stages to remove: reads SST state keys (`app/retainwise/pr-12.json`, one a line) on
// stdin, asks GitHub about each pull request, prints the stale stages one a line. Stale: the pull
// request is closed (its `remove` job failed or never ran) or gone, or nothing happened on it for
// STALE_AFTER_DAYS (a push redeploys it). When GitHub cannot answer, the stage is kept: a sweep
// never removes a preview it is unsure about.
// Usage: node .github/scripts/stale-previews.mjs < keys.txt   (GITHUB_REPOSITORY, GH_TOKEN set; sweep-previews.yml)
import { pathToFileURL } from "node:url";

export const STALE_AFTER_DAYS = 7;
const DAY_MS = 24 * 3600 * 1000;

/** Preview stage names in SST state keys; anything else (other apps, other stages) is ignored. */
export function previewStages(keys, app = "retainwise") {
  const pattern = new RegExp(`(?:^|/)${app}/(pr-(\\d+))\\.json$`);
  return [...new Set(keys.map((key) => pattern.exec(key.trim())?.[1]).filter(Boolean))].sort();
}

/**
 * @param {string[]} stages `pr-<number>` names
 * @param {(number: number) => Promise<{ state: string, updated_at: string } | null | undefined>} pull
 *   a pull request's state, `null` when GitHub says it does not exist, `undefined` when it could not say
 */
export async function staleStages(stages, pull, now = new Date()) {
  const stale = [];
  for (const stage of stages) {
    const found = await pull(Number(stage.slice("pr-".length)));
    if (found === undefined) continue;
    if (
      found === null ||
      found.state !== "open" ||
      now.getTime() - Date.parse(found.updated_at) > STALE_AFTER_DAYS * DAY_MS
    )
      stale.push(stage);
  }
  return stale;
}

async function githubPull(number) {
  const response = await fetch(`https://api.github.com/repos/${process.env.GITHUB_REPOSITORY}/pulls/${number}`, {
    headers: {
      Accept: "application/vnd.github+json",
      Authorization: `Bearer ${process.env.GH_TOKEN}`,
      "X-GitHub-Api-Version": "2022-11-28",
    },
  });
  if (response.status === 404) return null;
  if (!response.ok) {
    console.error(`::warning::pull request #${number}: GitHub answered ${response.status}; its preview is kept`);
    return undefined;
  }
  return response.json();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  let input = "";
  for await (const chunk of process.stdin) input += chunk;
  for (const stage of await staleStages(previewStages(input.split(/\s+/)), githubPull)) console.log(stage);
}
