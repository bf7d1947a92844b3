#!/usr/bin/env bash
# Makes sure the tests can run: Chromium for the browser tests, Firefox ESR, WebKitGTK's
# WebDriver and Xvfb for the cross-engine tests, redis-server for the scale-out tests and
# coturn for the TURN tests, all from the system's packages.
# Playwright's own browser download does not work everywhere (no internet beyond the
# npm registry and Debian's repositories), so the tests launch the system Chromium.
# Idempotent and silent when everything is already there. Does not run npm install,
# and starts no service: each test starts its own server on 127.0.0.1 and a free port.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()

find_chromium() {
  command -v chromium || command -v chromium-browser || true
}

chromium_present() {
  if [[ -n "${CHROMIUM_PATH:-}" ]]; then
    # An explicit choice is never second-guessed or replaced by an installed package.
    if [[ -x "$CHROMIUM_PATH" && -f "$CHROMIUM_PATH" ]]; then
      return 0
    fi
    echo "setup: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file." >&2
    exit 1
  fi
  [[ -n "$(find_chromium)" ]] && return 0
  # A Playwright-managed Chromium (`npx playwright install chromium`) does as well;
  # test/fixture/chromium.ts falls back to it in the same order.
  local managed
  managed="$(node -e "import('@playwright/test').then(({ chromium }) => process.stdout.write(chromium.executablePath()))" 2>/dev/null || true)"
  [[ -n "$managed" && -x "$managed" && -f "$managed" ]]
}

chromium_present || missing+=(chromium)
firefox_present() {
  if [[ -n "${FIREFOX_PATH:-}" ]]; then
    [[ -x "$FIREFOX_PATH" && -f "$FIREFOX_PATH" ]] && return 0
    echo "setup: FIREFOX_PATH=$FIREFOX_PATH is not an executable file." >&2
    exit 1
  fi
  command -v firefox-esr >/dev/null 2>&1 || command -v firefox >/dev/null 2>&1
}
firefox_present || missing+=(firefox-esr)
# WebKitWebDriver comes with webkit2gtk-driver, MiniBrowser with its libwebkit2gtk dependency.
command -v WebKitWebDriver >/dev/null 2>&1 || missing+=(webkit2gtk-driver)
command -v Xvfb >/dev/null 2>&1 || missing+=(xvfb)
command -v redis-server >/dev/null 2>&1 || [[ -x /usr/bin/redis-server ]] || missing+=(redis-server)
command -v turnserver >/dev/null 2>&1 || [[ -x /usr/bin/turnserver ]] || missing+=(coturn)

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: missing ${missing[*]}, and apt-get is not available." >&2
  echo "setup: install them yourself (Chromium: put it on PATH or set CHROMIUM_PATH)." >&2
  exit 1
fi

as_root=()
if [[ "$(id -u)" -ne 0 ]]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "setup: missing ${missing[*]}; installing needs root, and sudo is not available." >&2
    echo "setup: run 'apt-get install -y ${missing[*]}' as root." >&2
    exit 1
  fi
  as_root=(sudo)
fi

echo "setup: installing ${missing[*]} from the system's packages (Chromium is a few hundred MB)..."
export DEBIAN_FRONTEND=noninteractive
# A failed update is not fatal: the package lists already there may well do.
${as_root[@]+"${as_root[@]}"} apt-get update -qq || echo "setup: apt-get update failed; trying the install with the package lists there are." >&2
# policy-rc.d 101 keeps the packages' own services from starting: tests start their own.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\nexit 101\n' | ${as_root[@]+"${as_root[@]}"} tee "$policy" >/dev/null
  ${as_root[@]+"${as_root[@]}"} chmod +x "$policy"
  created_policy=1
fi
status=0
${as_root[@]+"${as_root[@]}"} apt-get install -y -qq --no-install-recommends "${missing[@]}" || status=$?
if [[ $created_policy -eq 1 ]]; then
  ${as_root[@]+"${as_root[@]}"} rm -f "$policy"
fi
if [[ $status -ne 0 ]]; then
  echo "setup: installing ${missing[*]} with apt-get failed (see above)." >&2
  exit 1
fi

if ! chromium_present; then
  echo "setup: apt-get installed the chromium package, but no chromium executable is on PATH." >&2
  exit 1
fi
echo "setup: installed ${missing[*]}"
