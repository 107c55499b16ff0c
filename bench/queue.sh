#!/usr/bin/env bash
# Queue benchmark: appends per second with fsync per record and with group commit,
# and append-to-reader latency. Runs the in-process benchmark RUNS times (default 5)
# on the queue's file system (FOLDER, default .build) and prints each run and the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
folder="${2:-$PWD/.build}"
swift build -c release --product vigil-bench >/dev/null
for _ in $(seq "$runs"); do .build/release/vigil-bench queue "$folder"; done | tee bench/out/queue-runs.jsonl | python3 -c '
import json, statistics, sys
runs = [json.loads(line) for line in sys.stdin]
keys = runs[0].keys()
print(json.dumps({k: round(statistics.median(r[k] for r in runs), 3) for k in keys}))
'
