#!/usr/bin/env bash
# `npm test`: the whole suite, from a fresh clone on a fresh Debian 12 with only Node >= 20.19.
#
#   npm packages (npm ci when missing or stale) -> chromium and prosody from Debian's packages
#   when missing (as root; otherwise it prints the sudo line and stops) -> tsc --noEmit ->
#   npm run build -> vitest: unit (happy-dom), chromium (the system Chromium), integration
#   (a private Prosody; the demo end to end).
#
# The last line is exactly `N passed, N failed` (CI reads it): the tests vitest ran, plus any
# step that failed before them (type check, build) or a test file that could not run, as failed.
# Exit status 0 only when nothing failed. Extra arguments go to vitest (e.g. --project unit).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
cd "$XSI_ROOT"

started=$SECONDS
failed_steps=()
step() { printf '\n== %s\n' "$*"; }
finish() {
  # $1 passed, $2 failed
  printf '\n'
  for s in "${failed_steps[@]}"; do printf 'FAILED: %s\n' "$s"; done
  printf 'total time %ss\n' "$((SECONDS - started))"
  printf '%s passed, %s failed\n' "$1" "$2"
  [ "$2" = 0 ]
  exit $?
}

step "Setup"
xsi_require_node || { failed_steps+=("Node >= 20.19 is required"); finish 0 1; }
xsi_npm_packages || { failed_steps+=("npm packages could not be installed"); finish 0 1; }
missing=()
xsi_have_chromium || missing+=(chromium)
xsi_have_prosody || missing+=(prosody)
if [ "${#missing[@]}" -gt 0 ]; then
  if ! xsi_apt_install "${missing[@]}" || ! xsi_have_chromium || ! xsi_have_prosody; then
    failed_steps+=("Debian packages missing: ${missing[*]} (sudo apt-get install -y ${missing[*]})")
    finish 0 1
  fi
fi
echo "node $(node --version), $("${CHROMIUM_PATH:-/usr/lib/chromium/chromium}" --version 2>/dev/null || echo chromium), $(prosodyctl about 2>/dev/null | grep -m1 -o 'Prosody [0-9.]*' || echo prosody)"

step "Type check: tsc --noEmit -p ."
npx tsc --noEmit -p . || failed_steps+=("type check (tsc --noEmit -p .)")

step "Build: npm run build"
npm run --silent build || failed_steps+=("build (npm run build)")

step "Tests: vitest run (unit, chromium, integration)"
results="$(mktemp "${TMPDIR:-/tmp}/xsi-vitest-XXXXXX.json")"
trap 'rm -f "$results"' EXIT
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
vitest_status=$?

# Tests passed and failed, plus test files that failed without a failed test (an import error).
counts="$(node -e '
  const fs = require("fs")
  let r
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")) } catch { console.log("none"); process.exit(0) }
  const broken = (r.testResults || []).filter((f) => f.status === "failed" && !(f.assertionResults || []).some((a) => a.status === "failed"))
  for (const f of broken) console.error(`test file failed to run: ${f.name}: ${(f.message || "").split("\n")[0]}`)
  console.log(`${r.numPassedTests} ${r.numFailedTests + broken.length} ${r.numPendingTests + r.numTodoTests}`)
' "$results")"
if [ "$counts" = none ]; then
  failed_steps+=("vitest wrote no results (exit $vitest_status)")
  finish 0 $((${#failed_steps[@]}))
fi
read -r passed failed skipped <<<"$counts"
[ "$skipped" != 0 ] && echo "($skipped tests skipped or todo)"
if [ "$vitest_status" != 0 ] && [ "$failed" = 0 ]; then
  failed_steps+=("vitest exited with $vitest_status (errors outside tests: see above)")
fi
finish "$passed" $((failed + ${#failed_steps[@]}))
