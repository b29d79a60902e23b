#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests when it is missing and we may install it.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
else
  echo "chromium is missing: the browser tests are skipped (and fail under CI);" \
    "install Debian's chromium package to run them." >&2
fi
