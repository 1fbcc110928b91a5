#!/usr/bin/env bash
# Run the `scale` test group (or, with `bench`, bench/throughput.py) against PostgreSQL, Redis and
# moto's S3 server started here on loopback; they are stopped on exit, whether the run passed or not.
set -euo pipefail
cd "$(dirname "$0")/.."
export ATLAS_SCALE_DIR="${ATLAS_SCALE_DIR:-$(mktemp -d /tmp/atlas-scale.XXXXXX)}"
bash .ci/services.sh install
trap 'bash .ci/services.sh stop; rm -rf "$ATLAS_SCALE_DIR"' EXIT
bash .ci/services.sh stop  # a previous run killed before its trap may have left them running
bash .ci/services.sh start
eval "$(bash .ci/services.sh env)"
if [ "${1:-}" = bench ]; then
  .venv/bin/python bench/throughput.py
  exit 0
fi
# The scale scenarios, then the API and e2e suites again with PostgreSQL as their database.
.venv/bin/python -m pytest -q -m scale tests/scale
ATLAS_TEST_ON_POSTGRES=1 .venv/bin/python -m pytest -q -m "not slow and not scale" tests/api tests/e2e
