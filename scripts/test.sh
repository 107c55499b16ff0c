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
# Damaged and odd video inputs through `vigil analyze`: exit codes, one clear line, time limits.
python3 Tests/faults/fault_corpus.py --vigil .build/debug/vigil --cases 300 --repeats 2 --seed 1
# libFuzzer on the YAML reader, queue records and appended events: a few seconds each here
# (bench/fuzz.sh runs them for minutes).
bash bench/fuzz.sh 10
# The operator console in a real headless Chromium (Debian's python3 has Selenium); the
# screenshots of every screen stay in test-output/console/.
/usr/bin/python3 Tests/console/console_e2e.py .build/debug/vigil SampleVideos test-output/console
# The forwarder into real PostgreSQL 15 servers the tests start themselves: 100,000 events
# while the forwarder is SIGKILLed 100 times and the database restarted 20 times; then two
# hosts sharing one config into one store.
python3 Tests/forward/forward_chaos.py --vigil .build/debug/vigil --events 100000 --kills 100 --restarts 20
python3 Tests/forward/fleet_two_hosts.py --vigil .build/debug/vigil --videos SampleVideos
# The queue on a real full and a real read-only file system (a tmpfs it mounts).
if [ "$(id -u)" -eq 0 ]; then
  bash Tests/crash/queue_disk_full.sh .build/debug/vigil
else
  unshare --user --map-root-user --mount bash Tests/crash/queue_disk_full.sh .build/debug/vigil
fi
