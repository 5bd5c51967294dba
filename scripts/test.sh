#!/usr/bin/env bash
# The README's test command (`npm test`): starts PostgreSQL and RabbitMQ, builds, runs every test
# against the real servers and the in-project emulators, and ends with one "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
# --- admin page browser tests (test/admin/web*.test.ts) need Debian's chromium ---
if ! command -v chromium >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; } >/dev/null 2>&1 \
    || echo "warning: could not install chromium (apt-get install -y chromium); the admin browser tests will fail" >&2
fi
# --- end chromium ---
bash scripts/services.sh start > .tmp/services.env
set -a; . ./.tmp/services.env; set +a
# Habits first: lint and format (Biome), types of product, test kit, tests and bench.
npx biome check .
node scripts/lineLength.mjs
npx tsc -p tsconfig.json --noEmit
npx tsc -p testkit/tsconfig.json
npx tsc -p tsconfig.build.json
# The image's SBOM (CycloneDX, production dependencies), kept with the build output.
bash scripts/sbom.sh >/dev/null
# The Graph/token emulators serve HTTPS with a local CA; Node trusts it only if told at start-up.
npx tsx testkit/graph/certs.ts .tmp/certs >/dev/null
export NODE_EXTRA_CA_CERTS="$PWD/.tmp/certs/ca.pem"
rc=0
npx vitest run --reporter=default --reporter=json --outputFile=.tmp/vitest.json "$@" || rc=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync(".tmp/vitest.json", "utf8"));
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' || true
exit $rc
