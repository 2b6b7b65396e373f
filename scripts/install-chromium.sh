#!/usr/bin/env bash
# Makes Debian's Chromium available for the Web UI browser test (Playwright drives it through
# playwright-core; Playwright's own browser download cannot work offline). Quiet when already there.
set -euo pipefail
if [[ -n "${CHROMIUM_PATH:-}" && -x "${CHROMIUM_PATH}" ]] || command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: Chromium is missing; install it (Debian: apt-get install chromium) or set CHROMIUM_PATH" >&2
  exit 1
fi
echo "install-chromium: installing Debian's chromium" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
