#!/usr/bin/env bash
# The queue on a real full disk and a real read-only file system: a 64 KiB tmpfs.
# Needs to mount: run as root, or inside `unshare -rm` (scripts/test.sh does either).
# Checks: appends fail with a clear "disk is full" / "read-only" error and exit 1, every
# acknowledged record stays readable, no damaged record appears, and appends succeed again
# once there is room.
set -uo pipefail
vigil="${1:-$(dirname "$0")/../../.build/debug/vigil}"
vigil="$(cd "$(dirname "$vigil")" && pwd)/$(basename "$vigil")"
mnt=$(mktemp -d)
mount -t tmpfs -o size=64k tmpfs "$mnt" || { echo "cannot mount a tmpfs"; echo "0 passed, 1 failed"; exit 1; }
trap 'umount "$mnt" 2>/dev/null; rmdir "$mnt"' EXIT
q="$mnt/q"
passed=0; failed=0
check() { if eval "$2"; then echo "ok   $1"; passed=$((passed+1)); else echo "FAIL $1"; failed=$((failed+1)); fi; }

event() { printf '{"type":"manual","camera":"disk","id":"e%d","data":{"payload":"%0300d"}}\n' "$1" 0; }
acked=0
for i in $(seq 1 400); do
  if out=$(event "$i" | "$vigil" queue append --queue "$q" --retry 0.3 2>"$mnt/../err.$$"); then
    acked=$((acked+1))
  else
    status=$?
    break
  fi
done
err=$(cat "$mnt/../err.$$"; rm -f "$mnt/../err.$$")
check "disk full is reported clearly with exit 1" '[ "${status:-0}" = 1 ] && grep -q "disk is full" <<<"$err"'
stored=$("$vigil" queue tail --queue "$q" 2>"$mnt/../terr.$$" | wc -l)
terr=$(cat "$mnt/../terr.$$"; rm -f "$mnt/../terr.$$")
check "all $acked acknowledged records readable after disk full, none damaged" '[ "$stored" = "$acked" ] && [ -z "$terr" ]'

# Free room by removing a padding file? There is none: grow the file system instead.
mount -o remount,size=256k "$mnt"
check "appends succeed again once there is room" 'event 9999 | "$vigil" queue append --queue "$q" >/dev/null 2>&1'

mount -o remount,ro "$mnt"
ro_err=$(event 10000 | "$vigil" queue append --queue "$q" 2>&1 >/dev/null); ro_status=$?
check "a read-only file system is reported clearly with exit 1" '[ "$ro_status" = 1 ] && grep -q "read-only" <<<"$ro_err"'
stored=$("$vigil" queue tail --queue "$q" 2>/dev/null | wc -l)
check "records survive the read-only failure" '[ "$stored" = "$((acked+1))" ]'
echo "queue disk test: $acked records acknowledged before the 64 KiB tmpfs filled"

# Event clips on a disk that fills: a worker records a 4 Mbit/s camera into a 6 MiB tmpfs.
# With 1 MiB kept for events the clip stops at the reserve; with none it stops on the write
# error. Either way the clip is given up (clip_ready, failed, with the reason), no partial
# file is left, and every motion event is in the queue.
src_dir=$(mktemp -d)
ffmpeg -nostdin -v error -f lavfi -i testsrc2=size=640x360:rate=25 -t 20 -c:v libx264 -preset veryfast -b:v 4M -g 50 \
  -pix_fmt yuv420p "$src_dir/camera.mp4"
clip_mnt=$(mktemp -d)
for reserve in 1 0; do
  mount -t tmpfs -o size=6m tmpfs "$clip_mnt" || { echo "cannot mount a tmpfs"; failed=$((failed+1)); break; }
  cat > "$clip_mnt/vigil.yaml" <<YAML
queue: { path: $clip_mnt/queue }
service: { state_dir: $src_dir/state-$reserve, metrics: { port: 0 } }
cameras:
  - id: cam
    source: $src_dir/camera.mp4
    clips: { types: [motion], pre: 2, post: 30, reserve_mib: $reserve }
YAML
  "$vigil" worker --config "$clip_mnt/vigil.yaml" --camera cam --metrics-port 0 2>"$src_dir/worker-$reserve.log"; wstatus=$?
  events=$("$vigil" queue tail --queue "$clip_mnt/queue" 2>/dev/null)
  check "reserve $reserve MiB: the worker ends normally on a full disk" '[ "$wstatus" = 0 ]'
  check "reserve $reserve MiB: motion events are in the queue" 'grep -q "\"type\":\"motion\"" <<<"$events"'
  check "reserve $reserve MiB: the clip is given up with its reason" 'grep "\"type\":\"clip_ready\"" <<<"$events" | grep -q "\"clip_state\":\"failed\""'
  check "reserve $reserve MiB: no partial clip is left" '[ -z "$(find "$clip_mnt/queue" -name "*.part")" ]'
  check "reserve $reserve MiB: the worker logged why the clip stopped" 'grep -q "events go on without it" "$src_dir/worker-$reserve.log"'
  grep -o '"reason":"[^"]*"' <<<"$events" | head -1
  umount "$clip_mnt"
done
rmdir "$clip_mnt"; rm -rf "$src_dir"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
