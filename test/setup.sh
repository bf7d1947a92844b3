#!/usr/bin/env bash
# Makes sure the browser tests can run: a Chromium from the system's packages.
# Playwright's own browser download does not work everywhere (no internet beyond the
# npm registry and Debian's repositories), so the tests launch the system Chromium.
# Idempotent and silent when everything is already there. Does not run npm install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  # An explicit choice is never second-guessed or replaced by an installed package.
  if [[ -x "$CHROMIUM_PATH" && -f "$CHROMIUM_PATH" ]]; then
    exit 0
  fi
  echo "setup: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file." >&2
  exit 1
fi

find_chromium() {
  command -v chromium || command -v chromium-browser || true
}

if [[ -n "$(find_chromium)" ]]; then
  exit 0
fi

# A Playwright-managed Chromium (`npx playwright install chromium`) does as well;
# test/fixture/chromium.ts falls back to it in the same order.
managed="$(node -e "import('@playwright/test').then(({ chromium }) => process.stdout.write(chromium.executablePath()))" 2>/dev/null || true)"
if [[ -n "$managed" && -x "$managed" && -f "$managed" ]]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: Chromium is missing and apt-get is not available." >&2
  echo "setup: install Chromium yourself and put it on PATH, or set CHROMIUM_PATH to its executable." >&2
  exit 1
fi

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "setup: Chromium is missing; installing it needs root, and sudo is not available." >&2
    echo "setup: run 'apt-get install -y chromium' as root, or set CHROMIUM_PATH." >&2
    exit 1
  fi
  as_root=(sudo)
fi

echo "setup: Chromium not found; installing it from the system's packages (a few hundred MB)..."
export DEBIAN_FRONTEND=noninteractive
# A failed update is not fatal: the package lists already there may well do.
${as_root[@]+"${as_root[@]}"} apt-get update -qq || echo "setup: apt-get update failed; trying the install with the package lists there are." >&2
if ! ${as_root[@]+"${as_root[@]}"} apt-get install -y -qq --no-install-recommends chromium; then
  echo "setup: installing Chromium with apt-get failed (see above)." >&2
  echo "setup: install it yourself and put it on PATH, or set CHROMIUM_PATH to its executable." >&2
  exit 1
fi

if [[ -z "$(find_chromium)" ]]; then
  echo "setup: apt-get installed the chromium package, but no chromium executable is on PATH." >&2
  exit 1
fi
echo "setup: Chromium installed: $(find_chromium)"
