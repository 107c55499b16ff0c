#!/usr/bin/env bash
# The whole test suite (Swift Testing), after installing what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# Real footage the tests annotate: from Debian's opencv-doc package, fetched once.
[ -f SampleVideos/real/tree.avi ] || SampleVideos/fetch-real.sh
swift build --build-tests
swift test --skip-build "$@"
# The queue's crash test: real writer and consumer processes killed with SIGKILL.
python3 Tests/crash/queue_crash.py --vigil .build/debug/vigil --rounds 100
# The queue on a real full and a real read-only file system (a tmpfs it mounts).
if [ "$(id -u)" -eq 0 ]; then
  bash Tests/crash/queue_disk_full.sh .build/debug/vigil
else
  unshare --user --map-root-user --mount bash Tests/crash/queue_disk_full.sh .build/debug/vigil
fi
