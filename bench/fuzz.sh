#!/usr/bin/env bash
# libFuzzer on what Vigil reads from outside: the YAML configuration reader, stored queue
# records, and events as `vigil queue append` takes them. Builds vigil-fuzz with the fuzzer
# and AddressSanitizer (its own build folder), seeds each target from the project's own
# files, and runs each for SECONDS (default 120). Prints executions and coverage per target;
# exits non-zero on any crash, leak, timeout or sanitizer report (the input is kept in
# .build-fuzz/findings/).
#
# Usage: bench/fuzz.sh [SECONDS]      CI runs it with a few seconds per target.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-120}"
scratch=.build-fuzz
mkdir -p "$scratch"
flags=(-c release --product vigil-fuzz --scratch-path "$scratch" -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -parse-as-library)
if ! swift build "${flags[@]}" -v >"$scratch/build-fuzz.log" 2>&1; then
  # Debian's gold stops with an internal error on the fuzzer runtime's debug info; the
  # toolchain's lld links the same objects. Run SwiftPM's own link command with it.
  link=$(grep -E '"?/usr/bin/ld\.gold"? .*-o [^ ]*/release/vigil-fuzz ' "$scratch/build-fuzz.log" | tail -1)
  [ -n "$link" ] || { tail -30 "$scratch/build-fuzz.log"; exit 1; }
  lld=$(dirname "$(readlink -f "$(command -v swiftc)")")/ld.lld
  bash -c "${link//\"\/usr\/bin\/ld.gold\"/$lld}" >>"$scratch/build-fuzz.log" 2>&1 || { tail -30 "$scratch/build-fuzz.log"; exit 1; }
fi
binary="$scratch/x86_64-unknown-linux-gnu/release/vigil-fuzz"
[ -x "$binary" ] || binary=$(find "$scratch" -path "*release/vigil-fuzz" -type f | head -1)
mkdir -p "$scratch/findings"

seed() {  # seed TARGET DIR: a few valid and near-valid inputs from the project itself
  local target=$1 dir=$2
  rm -rf "$dir"; mkdir -p "$dir"
  case $target in
    yaml)
      cp SampleVideos/demo.yaml "$dir/demo.yaml"
      printf 'cameras:\n  - { id: a, source: x.mp4, zones: [{ id: z, polygon: [[0,0],[1,0],[1,1]], intrusion: {} }] }\n' >"$dir/small.yaml" ;;
    record|event)
      local queue; queue=$(mktemp -d)
      printf '%s\n' '{"type":"manual","camera":"gate","data":{"note":"x"}}' \
        '{"type":"line_crossing","camera":"gate","line":"l","direction":"in","frame":3,"pts":0.1,"bbox":[0.1,0.2,0.3,0.4]}' \
        '{"type":"intrusion","camera":"gate","zone":"z","state":"start","track":4,"class":"person"}' >"$dir/events.txt"
      .build/debug/vigil queue append --queue "$queue" <"$dir/events.txt" >/dev/null 2>&1 || true
      if [ "$target" = record ]; then
        local n=0
        while IFS= read -r line; do printf '%s' "$line" >"$dir/record-$n"; n=$((n + 1)); done < <(cat "$queue"/*.jsonl 2>/dev/null)
        rm -f "$dir/events.txt"
      else
        local n=0
        while IFS= read -r line; do printf '%s' "$line" >"$dir/event-$n"; n=$((n + 1)); done <"$dir/events.txt"
        rm -f "$dir/events.txt"
      fi
      rm -rf "$queue" ;;
  esac
}

status=0
for target in yaml record event; do
  corpus="$scratch/corpus-$target"
  seed "$target" "$corpus"
  log="$scratch/fuzz-$target.log"
  if VIGIL_FUZZ_TARGET=$target ASAN_OPTIONS=detect_leaks=1 "$binary" "$corpus" -max_total_time="$seconds" -max_len=65536 \
      -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$scratch/findings/$target-" >"$log" 2>&1; then
    result=ok
  else
    result=FINDING; status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
  coverage=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || echo "cov: ?")
  corpus_size=$(ls "$corpus" | wc -l)
  echo "fuzz $target: $result, $runs executions in ${seconds} s, $coverage, corpus $corpus_size inputs"
  [ "$result" = ok ] || tail -40 "$log"
done
exit $status
