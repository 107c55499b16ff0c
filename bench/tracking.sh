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
for n in 0 10; do
  value=$(for _ in $(seq "$runs"); do "$bench" tracking "$n" | sed -E 's/.*"ms_per_frame": ([0-9.e-]+).*/\1/'; done | median)
  printf '| %s | %.4f |\n' "$n" "$value"
done
# 50 objects in pairs with the motion step: each run times tracking, then the motion scenes, and
# the share is taken per pair, so a noisy minute on a shared machine moves both sides of a share.
# `mixed` shakes by a pixel every frame, so its motion step also steadies every frame; `traffic`
# is a still camera, where the step costs least.
pairs=""
for _ in $(seq "$runs"); do
  tracking=$("$bench" tracking 50 | sed -E 's/.*"ms_per_frame": ([0-9.e-]+).*/\1/')
  outputs=$("$bench" motion 250 $model)
  mixed=$(grep '"mixed"' <<< "$outputs" | sed -E 's/.*"ms_per_frame": ([0-9.e-]+).*/\1/')
  still=$(grep '"traffic"' <<< "$outputs" | sed -E 's/.*"ms_per_frame": ([0-9.e-]+).*/\1/')
  pairs+="$tracking $mixed $still"$'\n'
done
value=$(awk 'NF { print $1 }' <<< "$pairs" | median)
printf '| 50 | %.4f |\n' "$value"
printf '\nmotion step, same runs: mixed scene %.3f ms/frame, traffic scene (a still camera) %.3f ms/frame\n' \
  "$(awk 'NF { print $2 }' <<< "$pairs" | median)" "$(awk 'NF { print $3 }' <<< "$pairs" | median)"
printf 'tracking with 50 objects as a share of the motion step, median of the %s pairs: %.1f %% of mixed (%s), %.1f %% of traffic (%s)\n' "$runs" \
  "$(awk 'NF { print 100 * $1 / $2 }' <<< "$pairs" | median)" "$(awk 'NF { printf "%.1f ", 100 * $1 / $2 }' <<< "$pairs")" \
  "$(awk 'NF { print 100 * $1 / $3 }' <<< "$pairs" | median)" "$(awk 'NF { printf "%.1f ", 100 * $1 / $3 }' <<< "$pairs")"
