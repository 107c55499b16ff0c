#!/usr/bin/env bash
# The whole test suite (Swift Testing), after installing what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
# The queue's crash test: real writer and consumer processes killed with SIGKILL.
python3 Tests/crash/queue_crash.py --vigil .build/debug/vigil --rounds 100
