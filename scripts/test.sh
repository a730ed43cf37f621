#!/usr/bin/env bash
# The README's test command (`npm test`): lint, type-check, then unit, integration and end-to-end suites.
# It installs what only Debian has (Chromium, for the browser tests) when it is missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM_PATH:-}" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing Debian's chromium for the browser tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
      || echo "test: could not install chromium; the e2e suite will say it was skipped"
  fi
fi

if [ ! -f models/manifest.json ] || ! ls models/*.onnx >/dev/null 2>&1; then
  node bin/liveness.mjs build-models
fi

npx eslint .
npm run --silent typecheck
mkdir -p artifacts
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=artifacts/vitest.json "$@" || status=$?
# One plain closing line that any CI reader understands, counted from vitest's own JSON report.
node -e '
const r = JSON.parse(require("fs").readFileSync("artifacts/vitest.json", "utf8"));
console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' || true
exit "$status"
