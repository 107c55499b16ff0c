#!/usr/bin/env bash
# Regenerates the committed synthetic clips (deterministic: same seed, same clip)
# and, with --truth, their ground truth next to them under truth/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
vigil="${VIGIL:-.build/release/vigil}"
truth_args() { [ "${1:-}" = "--truth" ] && echo "--truth SampleVideos/truth/$2" || true; }

$vigil synth SampleVideos/mixed.mp4   --scene mixed   --seed 1 --frames 250 --width 480 --height 270 --crf 26 $(truth_args "${1:-}" mixed)
$vigil synth SampleVideos/traffic.mp4 --scene traffic --seed 2 --frames 250 --width 480 --height 270 --crf 26 $(truth_args "${1:-}" traffic)
$vigil synth SampleVideos/people.mp4  --scene people  --seed 3 --frames 250 --width 480 --height 270 --crf 26 $(truth_args "${1:-}" people)
