#!/usr/bin/env bash
# System packages the figures need, installed only where missing (called by .ci/run):
#   chromium          — the headless browser for test/figures/report.browser.test.ts
#   fonts-dejavu-core — the font the figures are drawn in; resvg (PNG) has no
#                       fallback fonts, so without it PNG text would be missing.
# Non-interactive; uses sudo only when not already root. Safe to run repeatedly.
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)

if [ "${#need[@]}" -eq 0 ]; then
  echo "ci-deps: chromium and DejaVu fonts present"
  exit 0
fi

source "$(dirname "$0")/../../.ci/apt.sh"
apt_install "${need[@]}"

[ -x /usr/bin/chromium ] || { echo "ci-deps: chromium still missing after install" >&2; exit 1; }
echo "ci-deps: $(/usr/bin/chromium --version 2>/dev/null || echo chromium installed)"
