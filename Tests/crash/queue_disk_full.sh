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
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
