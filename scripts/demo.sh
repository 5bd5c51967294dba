#!/usr/bin/env bash
# `npm run demo`: starts PostgreSQL and RabbitMQ, builds, trusts the emulators' local CA, runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
bash scripts/services.sh start > .tmp/services.env
set -a; . ./.tmp/services.env; set +a
npx tsc -p tsconfig.build.json
npx tsx testkit/graph/certs.ts .tmp/certs >/dev/null
export NODE_EXTRA_CA_CERTS="$PWD/.tmp/certs/ca.pem"
exec npx tsx testkit/demo/demo.ts "$@"
