#!/usr/bin/env bash
# The queue crash test at scale: 1,000 rounds of writers and a consumer group killed with
# SIGKILL at random moments (CI runs 100 rounds in scripts/test.sh). Release build.
# Usage: bench/queue_crash.sh [ROUNDS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-1000}"
seed="${2:-1}"
swift build -c release --product vigil >/dev/null
/usr/bin/time -f "wall %e s, peak RSS %M KiB (the test's own Python)" \
  python3 Tests/crash/queue_crash.py --vigil .build/release/vigil --rounds "$rounds" --seed "$seed"
