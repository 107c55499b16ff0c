#!/usr/bin/env bash
# The whole test suite (Swift Testing), after installing what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build --build-tests
swift test --skip-build "$@"
