#!/usr/bin/env bash
# The demo: install what is missing, build in release, analyse a sample clip.
# Without an argument it runs the demo camera of SampleVideos/demo.yaml (the synthetic mixed
# scene with a counting line and a watched zone); with a clip path it analyses that clip.
# Outputs land in demo-output/: report, per-frame lines, masks, events, tracks (MOT CSV),
# an annotated video and a heatmap.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build -c release --product vigil

if [ $# -gt 0 ]; then source_args=("$1"); else source_args=(--config SampleVideos/demo.yaml --camera demo); fi
rm -rf demo-output
mkdir -p demo-output
.build/release/vigil analyze "${source_args[@]}" \
  --report demo-output/report.json \
  --frames-out demo-output/frames.jsonl \
  --masks-out demo-output/masks \
  --events-out demo-output/events.jsonl \
  --tracks-out demo-output/tracks.txt \
  --annotate demo-output/annotated.mp4 \
  --heatmap demo-output/heatmap.png
echo "Outputs in demo-output/: report.json, frames.jsonl, masks/, events.jsonl, tracks.txt, annotated.mp4, heatmap.png"
