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
public struct MotionDetector: FrameAnalyzer {
    public struct Settings: Sendable, Equatable {
        /// Foreground needs a difference above this many times the pixel's normal variation…
        public var sensitivity: Int = 3
        /// …and above this many grey levels in any case.
        public var minimumDifference: Int = 8
        /// Background learning rate for background pixels, in 1/256 per frame (≈ α 0.016).
        public var learningRate: Int = 4
        /// Frames at the start (or after a reset) used only to learn.
        public var warmUpFrames: Int = 20
        /// A frame where more than this fraction changes is a global change (lights, IR
        /// switch) the gain model could not explain: re-learn instead of reporting.
        public var globalChangeFraction: Double = 0.45
        /// Frames of fast re-learning after a global change.
        public var relearnFrames: Int = 15
        /// How much a state flip raises a pixel's variation, in 1/256 grey levels.
        public var flipStep: Int = 128
        /// Blobs smaller than this many pixels are dropped from the mask.
        public var minimumBlobPixels: Int = 12
        /// With a perspective, blobs smaller than this fraction of a person's area at their
        /// own position are dropped too: a leaf near the camera is not a person far away.
        public var perspective: PerspectiveScale?
        public var minimumPersonFraction: Double = 0.1
        public init() {}
    }

    public var settings: Settings
    public var stageName: String { "motion" }
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
    // Background and its normal variation, 8.8 fixed point.
    private var background: [Int32] = []
    private var variation: [Int32] = []
    /// Foreground before cleaning, 0/1 per pixel, this frame and the one before.
    private var raw = GrayImage(width: 0, height: 0)
    private var previous: [UInt8] = []
    private var mask = GrayImage(width: 0, height: 0)
    private var extractor = BlobExtractor()
    private var ratioHistogram = [Int32](repeating: 0, count: 512)
    private var framesSeen = 0
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
                    for i in 0..<count { model[i] = Int32(input[i]) << 8 }
                }
            }
            variation.withUnsafeMutableBufferPointer { $0.update(repeating: 3 << 8) }
        }
        framesSeen += 1
        let gain = estimateGain(image)
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
        let blob = extractor.blobs[index], root = extractor.blobRoots[index]
        let width = self.width, height = self.height
        var frameEdges = 0, backgroundEdges = 0, boundary = 0
        image.pixels.withUnsafeBufferPointer { frame in
            background.withUnsafeBufferPointer { model in
                let x0 = max(1, Int(blob.box.x)), x1 = min(width - 2, Int(blob.box.x + blob.box.width) - 1)
                let y0 = max(1, Int(blob.box.y)), y1 = min(height - 2, Int(blob.box.y + blob.box.height) - 1)
                guard x0 <= x1 && y0 <= y1 else { return }
                for y in y0...y1 {
                    for x in x0...x1 {
                        let i = y * width + x
                        guard extractor.rootLabel(at: i) == root else { continue }
                        // Boundary: a 4-neighbour outside the blob.
                        guard extractor.rootLabel(at: i - 1) != root || extractor.rootLabel(at: i + 1) != root
                            || extractor.rootLabel(at: i - width) != root || extractor.rootLabel(at: i + width) != root else { continue }
                        boundary += 1
                        frameEdges += abs(Int(frame[i + 1]) - Int(frame[i - 1])) + abs(Int(frame[i + width]) - Int(frame[i - width]))
                        backgroundEdges += abs(Int(model[i + 1] >> 8) - Int(model[i - 1] >> 8)) + abs(Int(model[i + width] >> 8) - Int(model[i - width] >> 8))
                    }
                }
            }
        }
        return boundary > 0 && backgroundEdges * 4 > frameEdges * 5
    }

    private mutating func absorb(blob index: Int, image: GrayImage) {
        let blob = extractor.blobs[index], root = extractor.blobRoots[index]
        let width = self.width
        let gain = max(1, Int32(lastGain * 256))
        for y in Int(blob.box.y)..<Int(blob.box.y + blob.box.height) {
            for x in Int(blob.box.x)..<Int(blob.box.x + blob.box.width) {
                let i = y * width + x
                if extractor.rootLabel(at: i) == root {
                    background[i] = (Int32(image.pixels[i]) << 16) / gain
                }
            }
        }
    }

    private mutating func configure(width: Int, height: Int) {
        self.width = width
        self.height = height
        let count = width * height
        background = [Int32](repeating: 0, count: count)
        variation = [Int32](repeating: 3 << 8, count: count)
        raw = GrayImage(width: width, height: height)
        previous = [UInt8](repeating: 0, count: count)
        mask = GrayImage(width: width, height: height)
        extractor = BlobExtractor()
        framesSeen = 0
        relearnUntil = 0
    }

    /// Median of frame/background over a sparse grid of pixels, 8.8 fixed point.
    /// The median ignores the minority of pixels covered by objects.
    private mutating func estimateGain(_ image: GrayImage) -> Int32 {
        var samples: Int32 = 0
        let width = self.width, height = self.height
        ratioHistogram.withUnsafeMutableBufferPointer { histogram in
            histogram.update(repeating: 0)
            image.pixels.withUnsafeBufferPointer { input in
                background.withUnsafeBufferPointer { model in
                    var y = 3
                    while y < height {
                        var x = (y / 7) % 5
                        while x < width {
                            let index = y * width + x
                            let level = model[index] >> 8
                            if level >= 24 && level <= 240 {
                                // Bin = ratio × 256, clamped to 0 … 511 (gains up to 2).
                                let bin = min(511, (Int32(input[index]) << 8) / level)
                                histogram[Int(bin)] += 1
                                samples += 1
                            }
                            x += 5
                        }
                        y += 4
                    }
                }
            }
        }
        guard samples > 64 else { return 256 }
        var seen: Int32 = 0
        for bin in 0..<512 {
            seen += ratioHistogram[bin]
            if seen * 2 >= samples { return Int32(max(1, bin)) }
        }
        return 256
    }

    /// Marks foreground pixels in `raw` (as 0/1) and returns how many there are.
    /// Pass 1 is branch-free so the compiler vectorises it; pass 2 visits only the
    /// few candidates for the shake test.
    private mutating func detect(_ image: GrayImage, gain: Int32) -> Int {
        let width = self.width, height = self.height, count = width * height
        let sensitivity = Int32(settings.sensitivity)
        let minimum = Int32(settings.minimumDifference) << 8
        image.pixels.withUnsafeBufferPointer { input in
            background.withUnsafeBufferPointer { model in
                variation.withUnsafeBufferPointer { spread in
                    raw.pixels.withUnsafeMutableBufferPointer { out in
                        for i in 0..<count {
                            let difference = abs((Int32(input[i]) << 8) &- ((model[i] &* gain) >> 8))
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
                        var i = 0
                        while i < count {
                            // Skip eight background pixels at a time.
                            if i + 8 <= count && words.loadUnaligned(fromByteOffset: i, as: UInt64.self) == 0 { i += 8; continue }
                            if out[i] != 0 {
                                let x = i % width, y = i / width
                                if x > 0 && y > 0 && x < width - 1 && y < height - 1 {
                                    // Shake: the camera, not an object, moved if a neighbour's background matches.
                                    let value = Int32(input[i]) << 8
                                    let threshold = max(minimum, spread[i] &* sensitivity)
                                    var matched = false
                                    var n = i - width - 1
                                    scan: for _ in 0..<3 {
                                        for k in n..<(n + 3) where k != i {
                                            if abs(value &- ((model[k] &* gain) >> 8)) <= threshold { matched = true; break scan }
                                        }
                                        n += width
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
        return changed
    }

    /// Moves the background towards the frame (fast while learning, slowly under
    /// foreground) and the per-pixel variation towards the observed difference;
    /// pixels that flip state raise their variation. Branch-free, vectorised.
    private mutating func update(_ image: GrayImage, gain: Int32, learning: Bool) {
        let count = width * height
        // 1/gain in 8.8 fixed point; the gain is clamped so the products fit in 32 bits.
        let clampedGain = min(max(gain, 64), 511)
        let inverseGain = Int32(65536) / clampedGain
        let backgroundRate: Int32 = learning ? 64 : Int32(settings.learningRate)
        // Foreground still learns, ~4× slower than 1/256 per frame: someone standing in view
        // for a minute stays foreground, while a ghost left by a departed object heals.
        let foregroundRate: Int32 = learning ? 64 : (framesSeen & 3 == 0 ? 1 : 0)
        let cap: Int32 = 40 << 8
        let flipStep = Int32(settings.flipStep)
        image.pixels.withUnsafeBufferPointer { input in
            background.withUnsafeMutableBufferPointer { model in
                variation.withUnsafeMutableBufferPointer { spread in
                    raw.pixels.withUnsafeBufferPointer { current in
                        previous.withUnsafeMutableBufferPointer { before in
                            for i in 0..<count {
                                let value = Int32(input[i]) << 8
                                let moving = current[i] != 0
                                let difference = min(abs(value &- ((model[i] &* clampedGain) >> 8)), cap)
                                let target = (value &* inverseGain) >> 8
                                let rate = moving ? foregroundRate : backgroundRate
                                model[i] = model[i] &+ (((target &- model[i]) &* rate) >> 8)
                                let learned = spread[i] &+ (((difference &- spread[i]) &* 8) >> 8)
                                var next = moving ? spread[i] : learned
                                // A pixel that keeps flipping is dynamic background (leaves, water,
                                // flicker): raise its threshold (SuBSENSE's feedback idea).
                                next = current[i] != before[i] ? min(next &+ flipStep, cap) : next
                                spread[i] = next
                                before[i] = current[i]
                            }
                        }
                    }
                }
            }
        }
    }
}
