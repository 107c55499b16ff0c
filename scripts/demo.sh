#!/usr/bin/env bash
# The demo: install what is missing, build in release, analyse a sample clip.
# Outputs land in demo-output/: report.json, frames.jsonl and the motion masks.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build -c release --product vigil

clip="${1:-SampleVideos/mixed.mp4}"
mkdir -p demo-output
.build/release/vigil analyze "$clip" \
  --report demo-output/report.json \
  --frames-out demo-output/frames.jsonl \
  --masks-out demo-output/masks
echo "Outputs: demo-output/report.json, demo-output/frames.jsonl, demo-output/masks/"
