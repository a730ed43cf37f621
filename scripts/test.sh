#!/usr/bin/env bash
# The README's test command (`npm test`): lint, type-check, then unit (with coverage), integration and end-to-end suites.
# It installs what only Debian has (Chromium, poppler-utils) when it is missing and we are root.
set -euo pipefail
cd "$(dirname "$0")/.."

# What only Debian has: Chromium (browser tests) and poppler-utils (the evidence-PDF test reads the PDF with pdftotext).
missing=()
if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM_PATH:-}" ]; then missing+=(chromium); fi
if ! command -v pdftotext >/dev/null 2>&1; then missing+=(poppler-utils); fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "test: installing Debian's ${missing[*]} for the browser and PDF tests"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null) \
      || echo "test: could not install ${missing[*]}; the tests that need them will say they were skipped"
  fi
fi

# Every model in the manifest, built or verified (cached builds take under a second each).
node bin/liveness.mjs build-models

npx eslint .
# One format for every source file (.prettierrc.json); `npm run format` rewrites what this refuses.
npx prettier --check . --log-level warn
npm run --silent typecheck
mkdir -p artifacts
status=0
# Unit tests with coverage of the sources they exercise (printed as a summary); then integration and end-to-end.
npx vitest run --project unit --passWithNoTests --coverage.enabled --coverage.provider=v8 --coverage.reporter=text-summary \
  "--coverage.include=src/**/*.{ts,tsx}" --reporter=default --reporter=json --outputFile.json=artifacts/vitest-unit.json "$@" || status=$?
npx vitest run --project integration --project e2e --passWithNoTests \
  --reporter=default --reporter=json --outputFile.json=artifacts/vitest.json "$@" || status=$?
# Performance history: a short bench (200 frames, the median of 3 fresh processes, 30-40 s) kept as
# artifacts/bench.json and compared with the committed bench/baseline.json; a figure over 10% slower prints a
# warning, never a failure.
node bin/liveness.mjs bench --frames 200 --runs 3 --no-reference --no-peer --no-probes --no-int8 --worker-frames 0 \
  --baseline bench/baseline.json --out artifacts/bench.json || echo "bench: did not run; no performance comparison this time"
# One plain closing line that any CI reader understands, counted from vitest's own JSON reports.
node -e '
const fs = require("fs");
const runs = ["artifacts/vitest-unit.json", "artifacts/vitest.json"].filter((f) => fs.existsSync(f)).map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
const sum = (k) => runs.reduce((n, r) => n + (r[k] || 0), 0);
console.log(`tests: ${sum("numPassedTests")} passed, ${sum("numFailedTests")} failed, ${sum("numPendingTests") + sum("numTodoTests")} skipped`);
' || true
exit "$status"
