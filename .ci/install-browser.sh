#!/usr/bin/env bash
# Install Debian's headless-capable Chromium for the report's browser test.
# Idempotent and fast when it is already there; Playwright (a dev dependency) drives this
# binary through executable_path and never downloads a browser of its own.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q chromium fonts-liberation
/usr/bin/chromium --version
