#!/usr/bin/env bash
# Tracking and rules cost per frame with 0, 10 and 50 objects (vigil-bench tracking N:
# median of 5 × 1,000 frames inside; this script repeats it RUNS times and reports the
# median of those), next to the motion step's own cost on the same machine, same run
# (vigil-bench motion: 480×270 rendered scenes, the default motion model unless MODEL is given).
#   bench/tracking.sh [RUNS] [MODEL]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-3}"
model="${2:-}"
swift build -c release --product vigil-bench >/dev/null
bench=.build/release/vigil-bench
median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
echo "| objects | tracking + rules ms/frame (median of $runs) |"
echo "|---|---|"
for n in 0 10 50; do
  value=$(for _ in $(seq "$runs"); do "$bench" tracking "$n" | sed -E 's/.*"ms_per_frame": ([0-9.e-]+).*/\1/'; done | median)
  printf '| %s | %.4f |\n' "$n" "$value"
done
motion=$(for _ in $(seq "$runs"); do "$bench" motion 250 $model | grep '"mixed"' | sed -E 's/.*"ms_per_frame": ([0-9.e-]+).*/\1/'; done | median)
printf '\nmotion step on the mixed scene, same run: %.3f ms/frame\n' "$motion"
