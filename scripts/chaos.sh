#!/usr/bin/env bash
# `npm run chaos`: the long form of the chaos suite (test/chaos, CHAOS_FULL=1): `kada run` child
# processes SIGKILLed at random points, Graph and token-endpoint fault storms, and PostgreSQL and
# RabbitMQ restarted under load, each followed by a check of every mailbox against the ground truth.
#
# It runs against a PostgreSQL and a RabbitMQ of its own (other ports, data under
# .tmp/chaos-services), so restarting them never disturbs `npm test` or anyone else's servers, and
# stops them again at the end. Bounded: the whole run is killed after CHAOS_TIMEOUT (default 14m).
#   npm run chaos                       # everything
#   npm run chaos -- -t 'SIGKILL'       # extra vitest arguments pass through
#   CHAOS_SEED=1234 npm run chaos       # replay the random choices of an earlier run
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp
export KADA_SERVICES_DIR="$PWD/.tmp/chaos-services"
export KADA_PG_PORT=${KADA_CHAOS_PG_PORT:-54359}
export KADA_AMQP_PORT=${KADA_CHAOS_AMQP_PORT:-56759}
export KADA_RABBIT_DIST_PORT=${KADA_CHAOS_RABBIT_DIST_PORT:-25709}
export KADA_EPMD_PORT=${KADA_CHAOS_EPMD_PORT:-43711}
stop_services() { bash scripts/services.sh stop >/dev/null 2>&1 || true; }
trap stop_services EXIT
bash scripts/services.sh start > .tmp/chaos-services.env
set -a; . ./.tmp/chaos-services.env; set +a
npx tsc -p tsconfig.build.json
# The Graph/token emulators serve HTTPS with a local CA; Node trusts it only if told at start-up.
npx tsx testkit/graph/certs.ts .tmp/certs >/dev/null
export NODE_EXTRA_CA_CERTS="$PWD/.tmp/certs/ca.pem"
# The restart tests call scripts/services.sh with the variables above; this says they may.
export CHAOS_FULL=1 KADA_CHAOS_OWN_SERVICES=1
timeout --signal=INT --kill-after=30s "${CHAOS_TIMEOUT:-14m}" \
  npx vitest run --config test/chaos/vitest.config.ts "$@"
