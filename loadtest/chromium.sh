#!/usr/bin/env bash
# Headless Chromium for the test that opens the load test's HTML report in a browser
# (LoadRunTest.report_openedInChromium_showsTheRunsFigures): prints the browser's path, installing
# Debian's chromium package first when it is missing (as root, with apt-get; the package lists are
# fetched once if they lack it).
#   loadtest/chromium.sh
set -euo pipefail
for b in chromium chromium-browser; do
  if p="$(command -v "$b")"; then
    echo "$p"
    exit 0
  fi
done
if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get > /dev/null; then
  echo "chromium.sh: no chromium on PATH, and this script installs it only as root with apt-get:" \
    "install Debian's chromium package (apt-get install chromium)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "chromium.sh: installing Debian's chromium package (once)..." >&2
# apt-get's own lock keeps two of these from installing at once; its messages go to stderr, the path to stdout.
if ! apt-get install -y --no-install-recommends chromium >&2; then
  apt-get update >&2
  apt-get install -y --no-install-recommends chromium >&2
fi
command -v chromium
