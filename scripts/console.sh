#!/usr/bin/env bash
# Opens the operator console on the demo camera: the demo camera of SampleVideos/demo.yaml
# runs as a live worker (its clip looped at its own frame rate, as a camera would send it),
# and the console serves http://127.0.0.1:8080/ until Ctrl-C. Run it after the demo, in a
# terminal of its own. VIGIL_PORT and VIGIL_LANGUAGE (vi or en) change the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
swift build -c release --product vigil
mkdir -p demo-output/console
root="$(pwd)"
port="${VIGIL_PORT:-8080}"
{
  printf 'queue: { path: queue }\n'
  printf 'service: { state_dir: state, metrics: { port: 0 } }\n'
  printf 'console: { port: %s, language: %s }\n' "$port" "${VIGIL_LANGUAGE:-vi}"
  # The demo file names its clip relative to itself; this config lives elsewhere.
  sed "s#source: #source: $root/SampleVideos/#" SampleVideos/demo.yaml
} > demo-output/console/vigil.yaml
echo "Console: http://127.0.0.1:$port/  (events in demo-output/console/queue; Ctrl-C stops)"
exec .build/release/vigil run --config demo-output/console/vigil.yaml --realtime --loop
