#!/usr/bin/env bash
# Fails the step, loudly, when any named environment variable is empty: a workflow never skips
# a step, or deploys half-configured, because a secret or variable was not set.
# Usage: .github/scripts/require.sh NAME... (each NAME set from `env:` in the step or job).
set -euo pipefail
missing=0
for name in "$@"; do
  if [ -z "${!name:-}" ]; then
    echo "::error title=Missing setting::$name is empty. Set it under Settings > Secrets and variables > Actions (or the environment's); docs/DEPLOY.md, 'First-time setup'."
    missing=1
  fi
done
exit "$missing"
