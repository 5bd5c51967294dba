#!/usr/bin/env bash
# `npm run bench`: kada against the Graph emulator at Outlook's limits (L = 200 ms per request,
# 4 concurrent), real PostgreSQL and RabbitMQ. Prints one table of figures, each next to its
# reference from the same run, and saves it as bench/results.md. Figures only: never fails a build
# on a slow number, and is not part of `npm test`.
#   npm run bench                      default sizes, a few minutes on 2 cores
#   npm run bench -- --full            fan-out to 1,000 students, memory with 30,000 persons
#   npm run bench -- --only 1,3 --latency 100 --profile .tmp/prof
#   npm run bench -- --help            every option
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
bash scripts/services.sh start > .tmp/services.env
set -a; . ./.tmp/services.env; set +a
# Build: the bench is compiled together with the sources it measures (bench/tsconfig.json) into a
# folder of its own, so a run never rewrites dist/ under a test run.
npx tsc -p bench/tsconfig.json
# The Graph/token emulators serve HTTPS with a local CA; Node trusts it only if told at start-up.
npx tsx testkit/graph/certs.ts .tmp/certs >/dev/null
export NODE_EXTRA_CA_CERTS="$PWD/.tmp/certs/ca.pem"
# --expose-gc: the pure-core and memory runs start from a collected heap.
exec node --expose-gc .tmp/bench-dist/bench/main.js "$@"
