/// Vigil's motion step: which pixels of the analysis frame belong to moving things.
///
/// Per pixel it keeps a background level and a running estimate of how much that pixel
/// normally varies (noise, compression, swaying leaves, water), and calls a pixel
/// foreground only when it departs from the background by several times its own normal
/// variation. Around that core:
/// - global light changes (dusk, clouds, lights switched) are measured each frame as a
///   gain between frame and background and compensated before differencing; a change
///   too large or too uneven to compensate re-learns the background instead of
///   reporting motion everywhere;
/// - small camera shake is absorbed by testing a candidate pixel against its
///   neighbours' background too (a pixel that matches a neighbour's background moved
///   with the camera, not with an object);
/// - pixels seen as foreground learn very slowly, so people standing still stay
///   foreground for minutes while parked-then-gone artefacts still heal;
/// - the mask is cleaned (isolated pixels removed, small holes filled) and split into
///   blobs (`BlobExtractor`).
///
/// Pure Swift over unsafe buffers; after the first frame nothing is allocated.
public struct MotionDetector: MotionModel {
    public typealias Settings = MotionSettings

    public var settings: Settings
    public var stageName: String { "motion" }
    public var perspective: PerspectiveScale? { settings.perspective }
    public var lastMask: GrayImage? { framesSeen > 0 ? mask : nil }
    /// Blobs of the last frame (in no particular order).
    public var blobs: [Blob] { extractor.blobs }
    /// Gain between the last frame and the background (1 = same light).
    public private(set) var lastGain = 1.0
    /// Areas never to report (a clock, a flag, a road outside the site), as 1 = ignore.
    /// Must match the analysis size; set it again when the size changes.
    public var ignoreMask: ZoneMask?
    /// True while the detector is (re-)learning and reports no motion.
    public private(set) var isLearning = true

    private var width = 0, height = 0
    // Background and its normal variation, 8.8 fixed point in 16 bits: the per-pixel
    // passes then run eight pixels per SSE2 instruction (32-bit lanes would give four,
    // and SSE2 has no 32-bit multiply at all).
    private var background: [UInt16] = []
    private var variation: [UInt16] = []
    /// Foreground before cleaning, 0/1 per pixel, this frame and the one before.
    private var raw = GrayImage(width: 0, height: 0)
    private var previous: [UInt8] = []
    private var mask = GrayImage(width: 0, height: 0)
    private var extractor = BlobExtractor()
    private var framesSeen = 0
    private var gainHistogram = [Int32](repeating: 0, count: GainEstimator.histogramSize)
    private var relearnUntil = 0

    public init(settings: Settings = Settings()) { self.settings = settings }

    public mutating func reset() {
        framesSeen = 0
        relearnUntil = 0
    }

    public mutating func analyze(_ image: GrayImage) -> FrameObservation {
        if image.width != width || image.height != height { configure(width: image.width, height: image.height) }
        let count = width * height
        if framesSeen == 0 {
            image.pixels.withUnsafeBufferPointer { input in
                background.withUnsafeMutableBufferPointer { model in
                    for i in 0..<count { model[i] = UInt16(input[i]) << 8 }
                }
            }
            variation.withUnsafeMutableBufferPointer { $0.update(repeating: 3 << 8) }
        }
        framesSeen += 1
        let gain = gainHistogram.withUnsafeMutableBufferPointer { histogram in
            background.withUnsafeBufferPointer { model in GainEstimator.estimate(image, histogram: histogram) { Int32(model[$0] >> 8) } }
        }
        lastGain = Double(gain) / 256
        var learning = framesSeen <= settings.warmUpFrames || framesSeen <= relearnUntil
        let changed = detect(image, gain: gain)
        if !learning && Double(changed) > settings.globalChangeFraction * Double(count) {
            // Too much at once to be objects: light or camera change the gain model missed.
            relearnUntil = framesSeen + settings.relearnFrames
            learning = true
        }
        if learning { raw.pixels.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
        update(image, gain: gain, learning: learning)
        isLearning = learning
        if learning {
            mask.pixels.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            extractor.clear()
            return FrameObservation(motionFraction: 0, largestBlobFraction: 0)
        }
        if let ignoreMask, ignoreMask.width == width, ignoreMask.height == height {
            ignoreMask.bits.withUnsafeBufferPointer { ignored in
                raw.pixels.withUnsafeMutableBufferPointer { out in
                    for i in 0..<count { out[i] &= 1 &- ignored[i] }
                }
            }
        }
        var foreground = extractor.clean(raw, into: &mask, minimumBlobPixels: settings.minimumBlobPixels,
                                         perspective: settings.perspective, minimumPersonFraction: settings.minimumPersonFraction)
        foreground -= suppressGhosts(image)
        let largest = extractor.blobs.reduce(0) { max($0, $1.area) }
        return FrameObservation(motionFraction: Double(foreground) / Double(max(1, count)),
                                largestBlobFraction: Double(largest) / Double(max(1, count)))
    }

    /// A ghost is a blob where something *was* (an object burnt into the background that
    /// has since left): its outline has edges in the background model, not in the frame.
    /// A real object, moving or standing, has its edges in the frame. Ghosts are absorbed
    /// into the background at once and leave the mask. Returns the pixels removed.
    private mutating func suppressGhosts(_ image: GrayImage) -> Int {
        var removed = 0
        var index = extractor.blobs.count - 1
        while index >= 0 {
            if isGhost(blob: index, image: image) {
                absorb(blob: index, image: image)
                removed += extractor.erase(blobAt: index, from: &mask)
            }
            index -= 1
        }
        return removed
    }

    private func isGhost(blob index: Int, image: GrayImage) -> Bool {
        let outline = background.withUnsafeBufferPointer { model in
            extractor.outline(ofBlobAt: index, frame: image) { Int(model[$0] >> 8) }
        }
        return outline.length > 0 && outline.backgroundEdges * 4 > outline.frameEdges * 5
    }

    private mutating func absorb(blob index: Int, image: GrayImage) {
        let gain = max(1, Int(lastGain * 256))
        let extractor = self.extractor
        extractor.forEachPixel(ofBlobAt: index, width: width) { i in
            background[i] = UInt16(min(65535, (Int(image.pixels[i]) << 16) / gain))
        }
    }

    private mutating func configure(width: Int, height: Int) {
        self.width = width
        self.height = height
        let count = width * height
        background = [UInt16](repeating: 0, count: count)
        variation = [UInt16](repeating: 3 << 8, count: count)
        raw = GrayImage(width: width, height: height)
        previous = [UInt8](repeating: 0, count: count)
        mask = GrayImage(width: width, height: height)
        extractor = BlobExtractor()
        framesSeen = 0
        relearnUntil = 0
    }

    /// Marks foreground pixels in `raw` (as 0/1) and returns how many there are.
    /// Pass 1 is branch-free 16-bit arithmetic so the compiler vectorises it; pass 2
    /// visits only the few candidates for the shake test.
    private mutating func detect(_ image: GrayImage, gain: Int32) -> Int {
        let width = self.width, height = self.height, count = width * height
        let sensitivity = UInt16(clamping: settings.sensitivity)
        let minimum = UInt16(clamping: settings.minimumDifference << 8)
        let compensate = GainScaling(gain: gain)
        let suppressShadows = settings.suppressShadows
        let shadowDarkest = Int(settings.shadowDarkest * 256), shadowLightest = Int(settings.shadowLightest * 256)
        image.pixels.withUnsafeBufferPointer { input in
            background.withUnsafeBufferPointer { model in
                variation.withUnsafeBufferPointer { spread in
                    raw.pixels.withUnsafeMutableBufferPointer { out in
                        for i in 0..<count {
                            let difference = absoluteDifference(UInt16(input[i]) &<< 8, compensate.apply(model[i]))
                            // Cannot overflow: `variationCap` keeps spread × sensitivity in 16 bits.
                            let threshold = max(minimum, spread[i] &* sensitivity)
                            out[i] = difference > threshold ? 1 : 0
                        }
                    }
                }
            }
        }
        var changed = 0
        image.pixels.withUnsafeBufferPointer { input in
            background.withUnsafeBufferPointer { model in
                variation.withUnsafeBufferPointer { spread in
                    raw.pixels.withUnsafeMutableBufferPointer { out in
                        let words = UnsafeRawPointer(out.baseAddress!)
                        for y in 0..<height {
                            let rowStart = y * width, rowEnd = rowStart + width
                            let interiorRow = y > 0 && y < height - 1
                            var i = rowStart
                            while i < rowEnd {
                                // Skip eight background pixels at a time.
                                if i + 8 <= rowEnd && words.loadUnaligned(fromByteOffset: i, as: UInt64.self) == 0 { i += 8; continue }
                                if out[i] != 0 {
                                    let x = i - rowStart
                                    if interiorRow && x > 0 && x < width - 1 {
                                        // Shake: the camera, not an object, moved if a neighbour's background matches.
                                        let value = UInt16(input[i]) << 8
                                        let threshold = max(minimum, spread[i] &* sensitivity)
                                        var matched = false
                                        var n = i - width - 1
                                        scan: for _ in 0..<3 {
                                            for k in n..<(n + 3) where k != i {
                                                if absoluteDifference(value, compensate.apply(model[k])) <= threshold { matched = true; break scan }
                                            }
                                            n += width
                                        }
                                            if !matched && suppressShadows && y >= 2 && y < height - 2 && x >= 2 && x < width - 2
                                            && Self.isCastShadow(at: i, width: width, input: input, model: model, compensate: compensate,
                                                                 darkest: shadowDarkest, lightest: shadowLightest) {
                                            matched = true
                                        }
                                        if matched { out[i] = 0 } else { changed &+= 1 }
                                    } else {
                                        changed &+= 1
                                    }
                                }
                                i += 1
                            }
                        }
                    }
                }
            }
        }
        return changed
    }

    /// A cast shadow darkens the ground and keeps its texture; an object replaces it.
    /// The test (the idea of SuBSENSE's local binary patterns, on the candidate pixels
    /// only): on the ring of pixels two steps away, wherever the ground differs from the
    /// centre by 4 levels or more, the frame must differ the same way and by at least a
    /// quarter as much; at least three such textured pixels (flat ground proves nothing),
    /// one may disagree (a soft shadow's edge).
    @inline(__always)
    private static func isCastShadow(at i: Int, width: Int, input: UnsafeBufferPointer<UInt8>, model: UnsafeBufferPointer<UInt16>,
                                     compensate: GainScaling, darkest: Int, lightest: Int) -> Bool {
        let level = Int(compensate.apply(model[i]) >> 8)
        guard level >= 24 else { return false }
        let ratio = (Int(input[i]) << 8) / level
        guard ratio >= darkest && ratio <= lightest else { return false }
        // The ground's texture, as the order between the centre and each pixel of the
        // ring, must survive: a shadow scales it, an object replaces it.
        let centreGround = level, centre = Int(input[i])
        var textured = 0, broken = 0
        for row in stride(from: -2 * width, through: 2 * width, by: 2 * width) {
            for column in stride(from: -2, through: 2, by: 2) where row != 0 || column != 0 {
                let ground = Int(compensate.apply(model[i + row + column]) >> 8) - centreGround
                guard abs(ground) >= 4 else { continue }
                textured += 1
                let seen = Int(input[i + row + column]) - centre
                if (ground > 0) != (seen > 0) || abs(seen) * 4 < abs(ground) { broken += 1 }
            }
        }
        return textured >= 3 && broken <= 1
    }

    /// The largest normal variation kept: 40 grey levels, lower if the sensitivity is so
    /// high that variation × sensitivity would not fit in 16 bits.
    private var variationCap: UInt16 {
        UInt16(min(40 << 8, 65535 / max(1, settings.sensitivity)))
    }

    /// Moves the background towards the frame (fast while learning, slowly under
    /// foreground) and the per-pixel variation towards the observed difference;
    /// pixels that flip state raise their variation. Branch-free 16-bit arithmetic,
    /// learning rates as shifts, vectorised.
    private mutating func update(_ image: GrayImage, gain: Int32, learning: Bool) {
        let count = width * height
        // Gains outside 0.5 … 2 are global changes and re-learn anyway.
        let clampedGain = min(max(gain, 129), 511)
        let compensate = GainScaling(gain: clampedGain)
        let normalise = GainScaling(gain: min(511, 65536 / clampedGain))
        let backgroundShift = learning ? UInt16(2) : Self.shift(forRate: settings.learningRate)
        // Foreground still learns, at 1/256 every fourth frame: someone standing in view
        // for a minute stays foreground, while a ghost left by a departed object heals.
        let foregroundShift: UInt16 = learning ? 2 : 8
        let foregroundLearns: UInt16 = learning || framesSeen & 3 == 0 ? 0xFFFF : 0
        let cap = variationCap
        let flipStep = UInt16(clamping: settings.flipStep)
        image.pixels.withUnsafeBufferPointer { input in
            background.withUnsafeMutableBufferPointer { model in
                variation.withUnsafeMutableBufferPointer { spread in
                    raw.pixels.withUnsafeBufferPointer { current in
                        previous.withUnsafeMutableBufferPointer { before in
                            for i in 0..<count {
                                let value = UInt16(input[i]) &<< 8
                                let moving: UInt16 = current[i] != 0 ? 0xFFFF : 0
                                let level = model[i]
                                let difference = min(absoluteDifference(value, compensate.apply(level)), cap)
                                let target = normalise.apply(value)
                                let up = saturatingSubtract(target, level), down = saturatingSubtract(level, target)
                                let backgroundStep = (up &>> backgroundShift) &- (down &>> backgroundShift)
                                let foregroundStep = ((up &>> foregroundShift) &- (down &>> foregroundShift)) & foregroundLearns
                                model[i] = level &+ ((backgroundStep & ~moving) | (foregroundStep & moving))
                                let spreadNow = spread[i]
                                let learned = spreadNow &+ (saturatingSubtract(difference, spreadNow) &>> 5) &- (saturatingSubtract(spreadNow, difference) &>> 5)
                                var next = (spreadNow & moving) | (learned & ~moving)
                                // A pixel that keeps flipping is dynamic background (leaves, water,
                                // flicker): raise its threshold (SuBSENSE's feedback idea).
                                let flipped: UInt16 = current[i] != before[i] ? 0xFFFF : 0
                                next = min(saturatingAdd(next, flipStep & flipped), cap)
                                spread[i] = next
                                before[i] = current[i]
                            }
                        }
                    }
                }
            }
        }
    }

    /// Shift that multiplies by `rate`/256 (rate rounded down to a power of two).
    static func shift(forRate rate: Int) -> UInt16 {
        let clamped = min(max(rate, 1), 128)
        return UInt16(8 - (Int.bitWidth - 1 - clamped.leadingZeroBitCount))
    }
}

/// Multiplies 8.8 fixed-point values by a per-frame factor (8.8, 0 … 511/256) in 16-bit
/// lanes: x × f = x × (f − 256)/256 + x for f ≥ 256, x × f/256 otherwise, each a
/// high-half multiply (SSE2 `pmulhuw`) and one masked saturating add.
struct GainScaling {
    let multiplier: UInt16
    let addSelf: UInt16

    init(gain: Int32) {
        let factor = min(max(gain, 0), 511)
        if factor >= 256 {
            multiplier = UInt16((factor - 256) << 8)
            addSelf = 0xFFFF
        } else {
            multiplier = UInt16(factor << 8)
            addSelf = 0
        }
    }

    @inline(__always) func apply(_ value: UInt16) -> UInt16 {
        let high = UInt16(truncatingIfNeeded: (UInt32(value) &* UInt32(multiplier)) &>> 16)
        return saturatingAdd(high, value & addSelf)
    }
}

@inline(__always) func absoluteDifference(_ a: UInt16, _ b: UInt16) -> UInt16 {
    saturatingSubtract(a, b) | saturatingSubtract(b, a)
}

@inline(__always) func saturatingSubtract(_ a: UInt16, _ b: UInt16) -> UInt16 {
    a > b ? a &- b : 0
}

@inline(__always) func saturatingAdd(_ a: UInt16, _ b: UInt16) -> UInt16 {
    let sum = a &+ b
    return sum < a ? 0xFFFF : sum
}
