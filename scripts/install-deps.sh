#!/usr/bin/env bash
# Installs the Debian packages Vigil builds and tests against, only when missing:
# FFmpeg's development libraries (linked in-process), pkg-config to find them,
# the ffmpeg tool the benchmarks compare against and the worker tests stream with,
# and RTSP servers for the live-camera tests: rtsp-server-perl (UDP only) and GStreamer's
# RTSP server through Debian's Python bindings (TCP and UDP, like real cameras); SQLite for the
# console's search index (GRDB links the system library); Chromium, its WebDriver and Selenium
# for the console's end-to-end tests, with a font that has every Vietnamese diacritic; PostgreSQL 15
# (server and psql) for the forwarder's tests, which start their own servers on 127.0.0.1.
set -euo pipefail

packages=(pkg-config libavformat-dev libavcodec-dev libswscale-dev libavutil-dev ffmpeg rtsp-server-perl
          python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
          gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad libsqlite3-dev
          chromium chromium-driver python3-selenium fonts-dejavu-core postgresql-15 postgresql-client-15)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# The event schema tests check Vigil's events with Python's jsonschema, an independent validator.
if ! python3 -c "import jsonschema" 2>/dev/null; then
  python3 -m pip install --quiet jsonschema || python3 -m pip install --quiet --break-system-packages jsonschema
fi
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
