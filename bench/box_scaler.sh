#!/usr/bin/env bash
# The luma box scaler against its previous version (column sums, 86ac0b1), compiled side by
# side with `swiftc -O` and timed in the same process, interleaved: 1920×1080 noise shrunk to
# 480×270 (4×4 blocks) and 480×360 (4×3, 1080p shown 4:3). Medians of 7 batches of 100 calls
# pinned to one core; also checks that both give the same pixels.
# Usage: bash bench/box_scaler.sh [CORE]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$root/Sources/VigilVision/BoxDownscaler.swift" "$work/New.swift"
git -C "$root" show 86ac0b1:Sources/VigilVision/BoxDownscaler.swift | sed 's/BoxDownscaler/ColumnSumsDownscaler/g' > "$work/Old.swift"
cat > "$work/main.swift" <<'SWIFT'
let width = 1920, height = 1080
var source = [UInt8](repeating: 0, count: width * height)
var generator = SystemRandomNumberGenerator()
for i in source.indices { source[i] = UInt8.random(in: 0...255, using: &generator) }
let clock = ContinuousClock()
func milliseconds(_ body: () -> Void) -> Double {
    let start = clock.now
    for _ in 0..<100 { body() }
    return (clock.now - start) / .microseconds(1) / 100 / 1000
}
for (kx, ky) in [(4, 4), (4, 3)] {
    let w = width / kx, h = height / ky
    var old = [UInt8](repeating: 0, count: w * h), new = old
    var oldScaler = ColumnSumsDownscaler(), newScaler = BoxDownscaler()
    var oldTimes: [Double] = [], newTimes: [Double] = []
    for _ in 0..<7 {
        oldTimes.append(milliseconds { source.withUnsafeBufferPointer { s in old.withUnsafeMutableBufferPointer { o in
            oldScaler.downscale(source: s.baseAddress!, sourceStride: width, factors: (kx, ky), width: w, height: h, into: o.baseAddress!) } } })
        newTimes.append(milliseconds { source.withUnsafeBufferPointer { s in new.withUnsafeMutableBufferPointer { o in
            newScaler.downscale(source: s.baseAddress!, sourceStride: width, factors: (kx, ky), width: w, height: h, into: o.baseAddress!) } } })
    }
    let a = oldTimes.sorted()[3], b = newTimes.sorted()[3]
    func rounded(_ value: Double, _ places: Double) -> Double { (value * places).rounded() / places }
    print("\(kx)×\(ky) to \(w)×\(h): column sums \(rounded(a, 1000)) ms, words \(rounded(b, 1000)) ms, ratio \(rounded(a / b, 100)), same pixels: \(old == new)")
}
SWIFT
swiftc -O "$work/main.swift" "$work/New.swift" "$work/Old.swift" -o "$work/box" -lm
taskset -c "${1:-1}" "$work/box"
