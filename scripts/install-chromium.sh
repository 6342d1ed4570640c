#!/bin/sh
# Installs Debian's Chromium for the console's browser tests (test/browser, playwright-core).
# Idempotent: does nothing when the browser is already there. Needs root for apt-get.
#   scripts/install-chromium.sh            # as root (CI, containers)
#   sudo scripts/install-chromium.sh       # on a workstation
# The tests use $CHROMIUM_PATH when set, else /usr/bin/chromium.
set -eu

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  echo "chromium: $CHROMIUM is installed ($("$CHROMIUM" --version 2>/dev/null || echo 'version unknown'))"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "chromium: $CHROMIUM is missing and installing it needs root. Run one of:" >&2
  echo "  sudo $0" >&2
  echo "  sudo apt-get update && sudo apt-get install -y chromium" >&2
  echo "or point CHROMIUM_PATH at a Chromium or Chrome binary you already have." >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium: no apt-get here; install Chromium with your package manager and set CHROMIUM_PATH." >&2
  exit 1
fi

echo "chromium: installing Debian's chromium package"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q chromium
"$CHROMIUM" --version
