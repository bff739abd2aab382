#!/usr/bin/env bash
# A stage's first deploy in one command (docs/DEPLOY.md, "First deploy"): sets the stage's
# DownloadSigningKey if it has none, deploys (which migrates first, infra/migrate.ts), stores a
# smoke-test key for the account `smoke` (made here: only its hash reaches the task, through the
# Migrate task's `keys import`), runs the smoke test with it against the URL the deploy printed, and
# hands the key to the GitHub environment's SMOKE_API_KEY secret with `gh` (without gh: prints it once).
# Needs what `sst deploy` needs, plus the AWS CLI. Safe to run again: each run adds one smoke key.
# Usage: bash scripts/first-deploy.sh STAGE [GITHUB_ENVIRONMENT]   (the environment defaults to STAGE)
set -euo pipefail
stage=${1:?usage: scripts/first-deploy.sh STAGE [GITHUB_ENVIRONMENT]}
environment=${2:-$stage}
root=$(cd "$(dirname "$0")/.." && pwd)
cli=(node "$root/packages/cli/bin/retainwise.mjs")
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if ! npx sst secret list --stage "$stage" 2>/dev/null | grep -q '^DownloadSigningKey'; then
  npx sst secret set DownloadSigningKey "$(node -e 'process.stdout.write(require("node:crypto").randomBytes(32).toString("hex"))')" --stage "$stage" >/dev/null
  echo "first-deploy: set a new DownloadSigningKey for $stage" >&2
fi

npx sst deploy --stage "$stage" | tee "$log"
api=$(grep -oE 'api: https?://[^ ]+' "$log" | head -1 | cut -d' ' -f2)
task=$(grep -oE 'migrateTask: \{.*\}' "$log" | head -1 | cut -d' ' -f2-)
if [ -z "$api" ] || [ -z "$task" ]; then echo "first-deploy: sst deploy printed no api or migrateTask output" >&2; exit 1; fi

minted=$("${cli[@]}" keys mint)
key=$(sed -n 's/^key //p' <<<"$minted")
# The Migrate task's placement (sst.config.ts's migrateTask output) as run-ecs-task.sh's settings.
while IFS='=' read -r name value; do export "$name=$value"; done < <(node -e 'for (const [k, v] of Object.entries(JSON.parse(process.argv[1]))) console.log(`${k}=${v}`)' "$task")
RETAINWISE_TASK_COMMAND=$(node -e 'const [sha, prefix] = process.argv.slice(1); console.log(JSON.stringify(["keys", "import", "--account", "smoke", "--label", "pipeline smoke test", "--sha256", sha, "--prefix", prefix]))' \
  "$(sed -n 's/^sha256 //p' <<<"$minted")" "$(sed -n 's/^prefix //p' <<<"$minted")") bash "$root/scripts/run-ecs-task.sh"

if ! RETAINWISE_SMOKE_KEY=$key "${cli[@]}" smoke --url "$api"; then
  echo "first-deploy: the smoke test failed against $api; the key ${key:0:10}… is stored but not handed on (revoke it: retainwise keys revoke ${key:0:10})" >&2
  exit 1
fi
if command -v gh >/dev/null; then
  gh secret set SMOKE_API_KEY --env "$environment" <<<"$key"
  echo "first-deploy: $api is up; its smoke key is GitHub environment $environment's SMOKE_API_KEY" >&2
else
  echo "first-deploy: $api is up. No gh CLI: set GitHub environment $environment's secret SMOKE_API_KEY to this key (shown once):" >&2
  echo "$key"
fi
