#!/bin/sh
# Waits for the kiosk service, then opens it full screen in Chromium's kiosk mode. The camera permission comes from
# the managed policy (/etc/chromium/policies/managed/liveness-kiosk.json), so no prompt a customer could refuse.
set -eu
URL="${LIVENESS_KIOSK_URL:-http://127.0.0.1:8080/}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
until curl -fsS -o /dev/null "$URL"; do sleep 1; done
exec "$CHROMIUM" --kiosk --app="$URL" --no-first-run --disable-translate --disable-features=TranslateUI \
  --noerrdialogs --disable-session-crashed-bubble --disable-infobars --check-for-update-interval=31536000 \
  --overscroll-history-navigation=0 --disable-pinch --user-data-dir="${XDG_STATE_HOME:-$HOME/.local/state}/liveness-kiosk-browser"
