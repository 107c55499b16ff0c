#!/usr/bin/env bash
# Fetches real footage from Debian's opencv-doc package (without installing it)
# into SampleVideos/real/, which git ignores:
#   vtest.avi  pedestrians on a campus plaza (PETS 2009 S2.L1 view 1), 768×576, 10 fps
#   tree.avi   a tree swaying in wind: dynamic background that must not raise alarms
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p real
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download opencv-doc >/dev/null)
dpkg -x "$work"/opencv-doc_*.deb "$work/x"
for clip in vtest.avi tree.avi; do
  cp "$work/x/usr/share/doc/opencv-doc/examples/data/$clip" real/
  echo "SampleVideos/real/$clip"
done
