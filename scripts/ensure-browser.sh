#!/usr/bin/env bash
# The console's browser tests drive Debian's headless Chromium (tests/server/admin/test_console_browser.py):
# install it, its driver and a CJK font (the screenshots show Chinese) where missing. Needs root, as CI has.
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
fc-list 2>/dev/null | grep -qi -e "wenquanyi" -e "noto sans cjk" || missing+=(fonts-wqy-zenhei)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]} for the console's browser tests"
if [ "$(id -u)" -ne 0 ]; then
  echo "WARNING: not root: install ${missing[*]} (apt-get) for the browser tests" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
  || { apt-get update >/dev/null && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; } \
  || echo "WARNING: could not install ${missing[*]}" >&2
exit 0
