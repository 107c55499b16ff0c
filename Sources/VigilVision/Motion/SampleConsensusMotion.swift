/// A sample-based background model in the manner of ViBe (Barnich and Van Droogenbroeck)
/// and SuBSENSE (St-Charles, Bilodeau and Bergevin), for grey analysis frames.
///
/// Each pixel keeps `sampleCount` past values seen as background. A pixel is background
/// when at least two samples lie within its distance threshold: a multi-modal model, so
/// a pixel that alternates between leaf and sky, or floor and reflection, matches either.
/// Around that core:
/// - *conservative, random update*: only background pixels replace one of their samples,
///   with probability 1/T(x), and push their value into a random background neighbour's
///   samples (ViBe's spatial diffusion, kept off foreground). Foreground is not
///   learned, so someone standing or sitting still stays foreground, until it has stood
///   still for `absorbStillFrames` (minutes): then it is taken as background at once;
/// - *feedback per pixel* (SuBSENSE): a running mean of the smallest sample distance
///   measures how dynamic a pixel's background is, and a "blinking" count how often its
///   label flips. Dynamic, blinking pixels raise their threshold R(x) and learn faster;
///   steady pixels keep a tight threshold and learn slowly, so slow and low-contrast
///   people are found there;
/// - *ghosts* (where something stood when the model was learned and has since left):
///   a blob whose outline has been foreground for a while and has its edges in the
///   background samples but not in the frame has its samples refilled from the frame;
/// - global light changes (dusk, clouds, a camera's auto-exposure) are measured each frame
///   as a gain against the samples (`GainEstimator`, shared with `MotionDetector`) and the
///   frame is divided by it before anything is compared;
/// - a frame where nearly everything changes at once (lights, an IR switch, the camera
///   moved) is learned anew instead of reported;
/// - the raw mask is smoothed by a 5×5 majority (spatial coherence), then grown into the
///   weaker differences next to it (hysteresis), never joining two blobs, before blobs are cut;
/// - at the end of the warm-up (and of each re-learning), each pixel keeps only the values
///   that recurred during it, so what passed or stood there briefly is not background.
///   The model does not learn the objects in view when it starts unless they stay.
///
/// Pure Swift over unsafe buffers; after the first frame nothing is allocated.
public struct SampleConsensusMotion: MotionModel {
    public var settings: MotionSettings
    public var stageName: String { "motion" }
    public var lastMask: GrayImage? { framesSeen > 0 ? mask : nil }
    public var blobs: [Blob] { extractor.blobs }
    public var ignoreMask: ZoneMask?
    public private(set) var isLearning = true
    public var perspective: PerspectiveScale? { settings.perspective }
    /// Its masks fill whole objects (hysteresis), so pieces of one vehicle lie close
    /// together and a narrower gap keeps neighbouring vehicles apart; set on highway-cctv's
    /// line counts (BENCHMARKS.md, issue 12).
    public var blobGrouping: BlobGrouping { BlobGrouping(gapFraction: 0.028, compactness: 1.8) }
    /// Gain between the last frame and the background (1 = same light).
    public private(set) var lastGain = 1.0
    /// How far the last frame was shifted against the background by a shaking camera, in
    /// pixels (zero when it was not, or was too little to correct).
    public var lastShift: (x: Double, y: Double) { shake.lastShift }
    /// Frames brought back into line after the camera shook.
    public var framesSteadied: Int { shake.framesShifted }
    /// The highest threshold any pixel has now, in grey levels (`largestThresholdFactor`
    /// times `sampleDistance` at most).
    public var highestThreshold: Int { Int(threshold.max() ?? 0) }

    /// Samples per pixel.
    static let sampleCount = 8
    /// Matches a pixel needs to be background.
    static let requiredMatches: UInt8 = 2

    private var width = 0, height = 0
    /// `sampleCount` planes of grey levels, plane-major so each pass over a plane vectorises.
    private var samples: [UInt8] = []
    /// Distance threshold factor R(x) ≥ 1, the running mean of the smallest distance, the
    /// blinking level v(x) and the update period T(x), all Float.
    private var thresholdFactor: [Float] = []
    private var meanMinimumDistance: [Float] = []
    private var blinking: [Float] = []
    private var updatePeriod: [Float] = []
    private var chosen: [UInt8] = []
    /// Uniform 16-bit numbers, read at a random offset each frame: 2¹⁶ more than a frame.
    private var randomTable: [UInt16] = []
    /// The eight neighbours' index offsets at this width.
    private var neighbourOffsets: [Int] = []
    /// Per frame: the threshold in grey levels and the smallest distance found.
    private var threshold: [UInt8] = []
    private var minimumDistance: [UInt8] = []
    /// Per pixel: the distance past which it is weak foreground (255 where it blinks).
    private var weakLimit: [UInt8] = []
    private var raw = GrayImage(width: 0, height: 0)
    /// Frames each pixel has been foreground without a break (saturating).
    private var foregroundAge: [UInt8] = []
    /// Per pixel, for objects that stand still past `foregroundAge`'s 255 frames: the last
    /// still-object visit (upper 16 bits, one visit every fourth frame) and how many visits
    /// in a row found it foreground that long (lower 16 bits).
    private var stillRuns: [UInt32] = []
    private var previousRaw: [UInt8] = []
    private var smoothed = GrayImage(width: 0, height: 0)
    private var columnSums: [UInt8] = []
    private var weak: [UInt8] = []
    private var grown: [UInt8] = []
    /// The regions hysteresis visits this frame (reused storage).
    private var growRegions: [GrowRegion] = []
    /// The seeds' centres and the cleaned mask before hysteresis (reused storage).
    private var seedCentres: [Point] = []
    private var beforeGrowth = GrayImage(width: 0, height: 0)
    private var mask = GrayImage(width: 0, height: 0)
    private var extractor = BlobExtractor()
    private var framesSeen = 0
    private var gainHistogram = [Int32](repeating: 0, count: GainEstimator.histogramSize)
    private var relearnUntil = 0
    private var compensated = GrayImage(width: 0, height: 0)
    /// The frame brought back into line with the samples when the camera shook (reused storage).
    private var steadied = GrayImage(width: 0, height: 0)
    private var shake = ShakeEstimator()
    /// The frames of the current learning period, plane-major (at most `historyCapacity`),
    /// and how many have been kept.
    private var history: [UInt8] = []
    private var historyCount = 0
    /// Frames of a learning period kept for `keepRecurringValues` (later ones overwrite the
    /// oldest): the longer learning period, at most 32 (the width of the vector it is read into).
    private var historyCapacity = 0
    private var random: UInt64 = 0x9E37_79B9_7F4A_7C15
    /// `majorityPerRow` for this height, perspective and tuning, and its weak counterpart
    /// (emptied when the tuning changes).
    private var rowMajority: [UInt8] = []
    private var rowWeakMajority: [UInt8] = []
    private var rowMajorityPerspective: PerspectiveScale?
    /// Per blob of this frame, whether it seeds hysteresis (reused storage).
    private var seedBlobs: [Bool] = []

    /// The algorithm's inner constants, fixed by the benchmark; not part of a camera's config.
    public struct Tuning: Sendable {
        public var shortestPeriod: Float = 2
        /// SuBSENSE's step of R(x) per frame (its FEEDBACK_R_VAR).
        public var thresholdStep: Float = 0.1
        /// A blob is a ghost when its outline's edges in the background exceed this many times those in the frame.
        public var ghostEdgeRatio: Float = 2
        /// …and when its outline has been foreground for this many frames on average.
        public var ghostAge = 25
        /// Updates visit one row in this many each frame, at this many times the chance.
        /// (Eight rather than four: the feedback and update passes take half the time, at a
        /// mean F 0.003 lower on the five sequences.)
        public var updateRowStep = 8
        /// Of the 25 pixels around one, this many must be foreground for it to be.
        public var majority = 13
        /// Where the perspective says objects are small, fewer: `majority` for objects at
        /// least `fullMajorityHeight` pixels tall, `smallObjectMajority` at `smallObjectHeight`
        /// and below, linear and rounded in between (`majorityPerRow`). A far car a dozen pixels
        /// tall differs from the road in only some of its pixels, and 13 of 25 erased it
        /// (m30-hd, and us101-seq3 at 320 wide; BENCHMARKS.md issue 13).
        public var smallObjectMajority = 9
        public var smallObjectHeight: Double = 12
        public var fullMajorityHeight: Double = 20
        /// Hysteresis (`growIntoWeak`): blobs of at least this many pixels grow…
        public var growFromArea = 40
        /// …or, where the perspective makes that a large part of an object, of this fraction of
        /// a person's area at the blob's foot, but never fewer than `smallestSeed` pixels
        /// (`seedArea`): a far car of 30 pixels grows, a speck of sway still does not (m30-hd,
        /// BENCHMARKS.md issue 13)…
        public var seedPersonFraction = 0.3
        public var smallestSeed = 10
        /// …at most this many 3×3 steps (0 turns hysteresis off)…
        public var growSteps = 8
        /// …into weak foreground: pixels with this many of the 25 around them foreground…
        public var weakMajority = 11
        /// …and pixels whose nearest sample is farther than this fraction of their
        /// threshold, where the background is steady (blinking level at most `weakBlinking`:
        /// leaves and water, whose labels flip, are never weak foreground).
        public var weakFraction: Float = 0.2
        public var weakBlinking: Float = 1
        /// At the end of a learning period, a pixel's samples are rebuilt from the values
        /// it had during it that recur in at least this fraction of its frames (0 keeps the
        /// random updates' samples). A quarter lost swaying branches' rarer positions (the
        /// synthetic sway scene's false pixels went over its bound).
        public var recurringFraction: Float = 0.15
        /// Hysteresis never joins two seed blobs: a blob grown into another is put back
        /// as it was before growth (`separateJoinedSeeds`).
        public var keepSeedsApart = true
        /// A frame shifted against the samples by a shaking camera is brought back into
        /// line before it is compared (`ShakeEstimator`).
        public var compensateShake = true
        public init() {}
    }
    public var tuning = Tuning() {
        didSet { rowMajority = [] }
    }

    public init(settings: MotionSettings = MotionSettings(), tuning: Tuning = Tuning()) {
        self.settings = settings
        self.tuning = tuning
    }

    public mutating func reset() {
        framesSeen = 0
        relearnUntil = 0
        historyCount = 0
    }

    public mutating func analyze(_ image: GrayImage) -> FrameObservation {
        if image.width != width || image.height != height { configure(width: image.width, height: image.height) }
        let count = width * height
        if framesSeen == 0 { initialise(from: image) }
        framesSeen += 1
        var learning = framesSeen <= settings.warmUpFrames || framesSeen <= relearnUntil
        if !learning && historyCount > 0 { keepRecurringValues() }
        // Dusk, clouds, lights: the frame is brought to the light the samples were learned in.
        let gain = gainHistogram.withUnsafeMutableBufferPointer { histogram in
            samples.withUnsafeBufferPointer { model in GainEstimator.estimate(image, histogram: histogram) { Int32(model[$0]) } }
        }
        lastGain = Double(gain) / 256
        let lit = compensate(image, gain: gain)
        if learning { shake.forgetReference() }
        let frame = learning || !tuning.compensateShake ? lit : steady(lit)
        let changed = classify(frame)
        if !learning && Double(changed) > settings.globalChangeFraction * Double(count) {
            // Too much at once to be objects (lights switched, IR mode, the camera moved):
            // learn the new picture instead of reporting it.
            relearnUntil = framesSeen + settings.relearnFrames
            learning = true
        }
        if learning { remember(frame) }
        feedback(learning: learning)
        update(frame, learning: learning)
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
        smoothMajority()
        var foreground = extractor.clean(smoothed, into: &mask, minimumBlobPixels: settings.minimumBlobPixels,
                                         perspective: settings.perspective, minimumPersonFraction: settings.minimumPersonFraction)
        // Grown from the blobs kept, not from every speck the majority left: a speck of
        // sway grown a few steps would be big enough to keep.
        if foreground > 0 && growIntoWeak() {
            if tuning.keepSeedsApart {
                // What `separateJoinedSeeds` needs from before growth: the seeds, and the
                // mask, kept by swapping buffers (the clean below writes every pixel of the other).
                seedCentres.removeAll(keepingCapacity: true)
                for (index, blob) in extractor.blobs.enumerated() where seedBlobs[index] { seedCentres.append(blob.centroid) }
                swap(&mask, &beforeGrowth)
            }
            foreground = extractor.clean(smoothed, into: &mask, minimumBlobPixels: settings.minimumBlobPixels,
                                         perspective: settings.perspective, minimumPersonFraction: settings.minimumPersonFraction)
            if tuning.keepSeedsApart && separateJoinedSeeds() {
                foreground = extractor.clean(smoothed, into: &mask, minimumBlobPixels: settings.minimumBlobPixels,
                                             perspective: settings.perspective, minimumPersonFraction: settings.minimumPersonFraction)
            }
        }
        // Ghosts and still objects stay put until removed, so looking every fourth frame loses nothing.
        if framesSeen & 3 == 0 && (tuning.ghostEdgeRatio > 0 || settings.absorbStillFrames > 0) { foreground -= suppressGhosts(frame) }
        let largest = extractor.blobs.reduce(0) { max($0, $1.area) }
        return FrameObservation(motionFraction: Double(foreground) / Double(max(1, count)),
                                largestBlobFraction: Double(largest) / Double(max(1, count)))
    }

    /// A ghost is a blob where something *was* at start-up or when it was learned: its
    /// outline has edges in the background samples, not in the frame. A real object,
    /// moving or standing, has its edges in the frame. A ghost's samples are refilled from
    /// the frame at once and it leaves the mask. Objects that have stood still for
    /// `absorbStillFrames` are let go the same way: foreground is not learned otherwise, and
    /// a worker runs for months. Returns the pixels removed.
    private mutating func suppressGhosts(_ image: GrayImage) -> Int {
        var removed = 0
        var index = extractor.blobs.count - 1
        while index >= 0 {
            if isGhostOrLongStill(blob: index, image: image) {
                absorb(blob: index, image: image)
                removed += extractor.erase(blobAt: index, from: &mask)
            }
            index -= 1
        }
        return removed
    }

    private mutating func isGhostOrLongStill(blob index: Int, image: GrayImage) -> Bool {
        // Any one sample plane is a picture of the background as learned.
        let outline = samples.withUnsafeBufferPointer { model in
            foregroundAge.withUnsafeBufferPointer { ages in
                extractor.outline(ofBlobAt: index, frame: image, background: { Int(model[$0]) }, age: { Int(ages[$0]) })
            }
        }
        guard outline.length > 0 else { return false }
        // A ghost does not move: its outline has been foreground for a while. A passing
        // car's has not, however smooth it is against the road.
        if tuning.ghostEdgeRatio > 0 && outline.age >= outline.length * tuning.ghostAge
            && outline.backgroundEdges * 4 > outline.frameEdges * Int(tuning.ghostEdgeRatio * 4) { return true }
        // An outline foreground for a quarter of 255 frames on average is not moving (its edge
        // pixels flicker, and growth adds some that never were); its pixels then count the
        // visits in a row that find them foreground for 255 frames or more.
        let limit = settings.absorbStillFrames
        guard limit > 0, outline.age >= outline.length * 64 else { return false }
        return hasStoodStill(blob: index, visits: max(1, (limit - 255 + 3) / 4))
    }

    /// Counts this visit for the blob's pixels that have been foreground for 255 frames or
    /// more (a pixel missed by a visit starts again); true when at least half of the blob's
    /// pixels have been so for `visits` visits in a row.
    private mutating func hasStoodStill(blob index: Int, visits: Int) -> Bool {
        let visit = UInt32(truncatingIfNeeded: framesSeen >> 2) & 0xFFFF, previous = (visit &- 1) & 0xFFFF
        var long = 0, pixels = 0
        let extractor = self.extractor, ages = foregroundAge
        extractor.forEachPixel(ofBlobAt: index, width: width) { i in
            pixels += 1
            guard ages[i] == 255 else { stillRuns[i] = visit << 16; return }
            let run = stillRuns[i] >> 16 == previous ? min(0xFFFF, (stillRuns[i] & 0xFFFF) + 1) : 1
            stillRuns[i] = visit << 16 | run
            if run >= visits { long += 1 }
        }
        return pixels > 0 && long * 2 >= pixels
    }

    private mutating func absorb(blob index: Int, image: GrayImage) {
        let count = width * height
        let extractor = self.extractor
        extractor.forEachPixel(ofBlobAt: index, width: width) { i in
            for k in 0..<Self.sampleCount { samples[k * count + i] = image.pixels[i] }
        }
    }

    /// The frame moved back into line with the background when the camera has shifted
    /// (sample plane 0 is a picture of the background as learned), or the frame itself.
    private mutating func steady(_ frame: GrayImage) -> GrayImage {
        let width = self.width, height = self.height
        let shift = frame.pixels.withUnsafeBufferPointer { pixels in
            samples.withUnsafeBufferPointer { model in
                shake.measure(frame: pixels.baseAddress!, reference: model.baseAddress!, width: width, height: height)
            }
        }
        guard let shift else { return frame }
        frame.pixels.withUnsafeBufferPointer { pixels in
            steadied.pixels.withUnsafeMutableBufferPointer { out in
                ShakeEstimator.shift(pixels.baseAddress!, by: shift, width: width, height: height, into: out.baseAddress!)
            }
        }
        return steadied
    }

    /// The frame divided by the gain, or the frame itself when the light has not changed.
    private mutating func compensate(_ image: GrayImage, gain: Int32) -> GrayImage {
        guard abs(gain - 256) > 2 else { return image }
        let count = width * height
        // x × 256 / gain as a 16-bit multiply: inverse is 2¹⁶/gain in 8.8.
        let inverse = UInt32(65536 / max(gain, 128))
        // Sixteen at a time in 16 bits: with the inverse as high × 256 + low (high ≤ 2),
        // (x × inverse) >> 8 is x × high + (x × low) >> 8 exactly, and neither product overflows.
        typealias Lanes = SIMD16<UInt8>
        typealias Wide = SIMD16<UInt16>
        let high = Wide(repeating: UInt16(inverse >> 8)), low = Wide(repeating: UInt16(inverse & 255))
        let eight = Wide(repeating: 8), white = Wide(repeating: 255)
        image.pixels.withUnsafeBufferPointer { input in
            compensated.pixels.withUnsafeMutableBufferPointer { out in
                let source = UnsafeRawPointer(input.baseAddress!), target = UnsafeMutableRawPointer(out.baseAddress!)
                var i = 0
                while i + 16 <= count {
                    let x = Wide(truncatingIfNeeded: source.loadUnaligned(fromByteOffset: i, as: Lanes.self))
                    let value = x &* high &+ ((x &* low) &>> eight)
                    target.storeBytes(of: Lanes(truncatingIfNeeded: value.replacing(with: white, where: value .> white)), toByteOffset: i, as: Lanes.self)
                    i += 16
                }
                while i < count {
                    out[i] = UInt8(truncatingIfNeeded: min(255, (UInt32(input[i]) &* inverse) &>> 8))
                    i += 1
                }
            }
        }
        return compensated
    }

    private mutating func configure(width: Int, height: Int) {
        self.width = width
        self.height = height
        let count = width * height
        samples = [UInt8](repeating: 0, count: count * Self.sampleCount)
        thresholdFactor = [Float](repeating: 1, count: count)
        meanMinimumDistance = [Float](repeating: 0, count: count)
        blinking = [Float](repeating: 0, count: count)
        updatePeriod = [Float](repeating: 2, count: count)
        chosen = [UInt8](repeating: 0, count: count)
        randomTable = (0..<(count + Self.randomTableSize)).map { _ in UInt16(truncatingIfNeeded: nextRandom() >> 48) }
        neighbourOffsets = [-width - 1, -width, -width + 1, -1, 1, width - 1, width, width + 1]
        threshold = [UInt8](repeating: 0, count: count)
        minimumDistance = [UInt8](repeating: 0, count: count)
        weakLimit = [UInt8](repeating: 255, count: count)
        raw = GrayImage(width: width, height: height)
        compensated = GrayImage(width: width, height: height)
        steadied = GrayImage(width: width, height: height)
        shake = ShakeEstimator()
        previousRaw = [UInt8](repeating: 0, count: count)
        foregroundAge = [UInt8](repeating: 0, count: count)
        stillRuns = [UInt32](repeating: 0, count: count)
        smoothed = GrayImage(width: width, height: height)
        columnSums = [UInt8](repeating: 0, count: width)
        rowMajority = []
        weak = [UInt8](repeating: 0, count: count)
        grown = [UInt8](repeating: 0, count: count)
        mask = GrayImage(width: width, height: height)
        beforeGrowth = GrayImage(width: width, height: height)
        seedCentres.reserveCapacity(256)
        historyCapacity = min(32, max(settings.warmUpFrames, settings.relearnFrames, Self.sampleCount))
        history = [UInt8](repeating: 0, count: count * historyCapacity)
        historyCount = 0
        extractor = BlobExtractor()
        framesSeen = 0
        relearnUntil = 0
    }

    private mutating func remember(_ image: GrayImage) {
        let count = width * height
        let slot = historyCount % historyCapacity
        history.withUnsafeMutableBufferPointer { kept in
            image.pixels.withUnsafeBufferPointer { kept.baseAddress!.advanced(by: slot * count).update(from: $0.baseAddress!, count: count) }
        }
        historyCount += 1
    }

    /// Learning updates every sample every frame, so a road in a jam ends its warm-up with
    /// the cars that passed in its samples, and those cars' colours stay background for
    /// hundreds of frames. The road is what recurs: each pixel keeps, spread over the
    /// period, only the values that at least `recurringFraction` of its frames come close
    /// to. A pixel that alternates between two backgrounds (leaf and sky) keeps both; one
    /// where nothing recurs keeps the samples it has.
    private mutating func keepRecurringValues() {
        typealias Lanes = SIMD16<UInt8>
        let kept = min(historyCount, historyCapacity)
        historyCount = 0
        let count = width * height
        guard tuning.recurringFraction > 0, kept >= Self.sampleCount, count >= 16 else { return }
        // Support counts the value itself, hence the + 1.
        let needed = UInt8(clamping: max(2, Int((Float(kept) * tuning.recurringFraction).rounded(.up))) + 1)
        // Scalar operands of SIMD compares and blends are not inlined; whole vectors are.
        let reach = Lanes(repeating: UInt8(clamping: settings.sampleDistance))
        let one = Lanes(repeating: 1), zero = Lanes(repeating: 0)
        let firstThreshold = UInt8(clamping: settings.sampleDistance)
        let firstWeak = UInt8(clamping: Int((Float(settings.sampleDistance) * tuning.weakFraction).rounded()))
        let planes = Self.sampleCount
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 2 * kept) { scratch in
            let values = scratch.baseAddress!, support = values + kept
            history.withUnsafeBufferPointer { past in
                samples.withUnsafeMutableBufferPointer { model in
                    blinking.withUnsafeMutableBufferPointer { v in
                        thresholdFactor.withUnsafeMutableBufferPointer { r in
                            threshold.withUnsafeMutableBufferPointer { limit in
                                weakLimit.withUnsafeMutableBufferPointer { weakAt in
                                    let source = UnsafeRawPointer(past.baseAddress!)
                                    var start = 0
                                    while start < count {
                                        // The last block overlaps the one before: its pixels come out the same.
                                        let i = min(start, count - 16)
                                        start += 16
                                        for k in 0..<kept { values[k] = source.loadUnaligned(fromByteOffset: k &* count &+ i, as: Lanes.self) }
                                        // Each value's support: how many of the period's values (itself included)
                                        // lie within reach. Closeness is symmetric, so each pair is measured once.
                                        for k in 0..<kept { support[k] = one }
                                        for k in 0..<kept {
                                            let value = values[k]
                                            var close = support[k]
                                            for j in (k + 1)..<max(k + 1, kept) {
                                                let other = values[j]
                                                let distance = (value &- other).replacing(with: other &- value, where: value .< other)
                                                let near = one.replacing(with: zero, where: distance .> reach)
                                                close &+= near
                                                support[j] &+= near
                                            }
                                            support[k] = close
                                        }
                                        for lane in 0..<16 {
                                            let pixel = i &+ lane
                                            var found = 0
                                            for k in 0..<kept where support[k][lane] >= needed { found += 1 }
                                            guard found > 0 else { continue }
                                            // The samples are the recurring values spread evenly over the period.
                                            var plane = 0, nth = 0
                                            var lowest: UInt8 = 255, highest: UInt8 = 0
                                            for k in 0..<kept where support[k][lane] >= needed {
                                                let value = values[k][lane]
                                                lowest = min(lowest, value)
                                                highest = max(highest, value)
                                                while plane < planes && plane * found / planes == nth {
                                                    model[plane &* count &+ pixel] = value
                                                    plane += 1
                                                }
                                                nth += 1
                                            }
                                            // Where the background kept one level, its feedback was measured against
                                            // the samples just replaced: flips between a car and a sample that was a
                                            // car are no sign of a dynamic background (left as they were, the road's
                                            // threshold stays raised and grey cars match it for a hundred frames).
                                            // Where it alternates (leaves, sky), the raised threshold was earned.
                                            guard highest &- lowest <= firstThreshold else { continue }
                                            v[pixel] = 0
                                            r[pixel] = 1
                                            limit[pixel] = firstThreshold
                                            weakAt[pixel] = firstWeak
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always) private mutating func nextRandom() -> UInt64 {
        // xorshift64*: cheap and plenty for choosing samples.
        random ^= random >> 12
        random ^= random << 25
        random ^= random >> 27
        return random &* 0x2545_F491_4F6C_DD1D
    }

    /// Every sample from the first frame, each taken from a random pixel of the 3×3
    /// neighbourhood (ViBe's single-frame start), thresholds and periods at their floor.
    private mutating func initialise(from image: GrayImage) {
        let width = self.width, height = self.height, count = width * height
        for k in 0..<Self.sampleCount {
            for y in 0..<height {
                for x in 0..<width {
                    let r = nextRandom()
                    let nx = min(max(x + Int(r % 3) - 1, 0), width - 1)
                    let ny = min(max(y + Int((r >> 8) % 3) - 1, 0), height - 1)
                    samples[k * count + y * width + x] = image.pixels[ny * width + nx]
                }
            }
        }
        thresholdFactor.withUnsafeMutableBufferPointer { $0.update(repeating: 1) }
        threshold.withUnsafeMutableBufferPointer { $0.update(repeating: UInt8(clamping: settings.sampleDistance)) }
        let firstWeak = UInt8(clamping: Int((Float(settings.sampleDistance) * tuning.weakFraction).rounded()))
        weakLimit.withUnsafeMutableBufferPointer { $0.update(repeating: firstWeak) }
        meanMinimumDistance.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        blinking.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        updatePeriod.withUnsafeMutableBufferPointer { $0.update(repeating: 2) }
        previousRaw.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// Counts each pixel's matching samples and its smallest distance, and labels it.
    /// Sixteen pixels at a time through all eight sample planes, so the counts stay in
    /// registers (one pass over memory instead of a read and write per plane).
    /// Returns how many pixels are foreground.
    @discardableResult
    private mutating func classify(_ image: GrayImage) -> Int {
        typealias Lanes = SIMD16<UInt8>
        let count = width * height, planes = Self.sampleCount
        let required = Lanes(repeating: Self.requiredMatches), saturated = Lanes(repeating: 255)
        // Scalar operands of SIMD compares and blends are not inlined; whole vectors are.
        let one = Lanes(repeating: 1), zero = Lanes(repeating: 0)
        var changed = 0
        image.pixels.withUnsafeBufferPointer { input in
            samples.withUnsafeBufferPointer { model in
                threshold.withUnsafeBufferPointer { limit in
                    minimumDistance.withUnsafeMutableBufferPointer { nearest in
                        raw.pixels.withUnsafeMutableBufferPointer { out in
                            foregroundAge.withUnsafeMutableBufferPointer { age in
                                let source = UnsafeRawPointer(input.baseAddress!), bounds = UnsafeRawPointer(limit.baseAddress!)
                                let sampled = UnsafeRawPointer(model.baseAddress!)
                                let closest = UnsafeMutableRawPointer(nearest.baseAddress!), labels = UnsafeMutableRawPointer(out.baseAddress!)
                                let ages = UnsafeMutableRawPointer(age.baseAddress!)
                                // Foreground lanes are summed as bytes, emptied before they can wrap.
                                var tally = zero, pending = 0
                                var i = 0
                                while i + 16 <= count {
                                    let value = source.loadUnaligned(fromByteOffset: i, as: Lanes.self)
                                    let reach = bounds.loadUnaligned(fromByteOffset: i, as: Lanes.self)
                                    var smallest = saturated, found = zero
                                    for k in 0..<planes {
                                        let sample = sampled.loadUnaligned(fromByteOffset: k &* count &+ i, as: Lanes.self)
                                        // pointwiseMin/Max are not inlined either.
                                        let distance = (value &- sample).replacing(with: sample &- value, where: value .< sample)
                                        smallest = smallest.replacing(with: distance, where: distance .< smallest)
                                        found &+= one.replacing(with: zero, where: distance .> reach)
                                    }
                                    let foreground = one.replacing(with: zero, where: found .>= required)
                                    closest.storeBytes(of: smallest, toByteOffset: i, as: Lanes.self)
                                    labels.storeBytes(of: foreground, toByteOffset: i, as: Lanes.self)
                                    // Frames in a row as foreground, saturating at 255.
                                    let old = ages.loadUnaligned(fromByteOffset: i, as: Lanes.self)
                                    let older = old &+ one.replacing(with: zero, where: old .== saturated)
                                    ages.storeBytes(of: older & (zero &- foreground), toByteOffset: i, as: Lanes.self)
                                    tally &+= foreground
                                    pending += 1
                                    if pending == 255 {
                                        changed += Self.laneSum(tally)
                                        tally = zero
                                        pending = 0
                                    }
                                    i += 16
                                }
                                changed += Self.laneSum(tally)
                                // The last few pixels one by one.
                                while i < count {
                                    let a = input[i]
                                    var smallest: UInt8 = 255, found: UInt8 = 0
                                    for k in 0..<planes {
                                        let b = model[k * count + i]
                                        let distance = max(a, b) &- min(a, b)
                                        smallest = min(smallest, distance)
                                        found &+= distance <= limit[i] ? 1 : 0
                                    }
                                    let foreground: UInt8 = found < Self.requiredMatches ? 1 : 0
                                    nearest[i] = smallest
                                    out[i] = foreground
                                    age[i] = (age[i] &+ (age[i] < 255 ? 1 : 0)) & (0 &- foreground)
                                    changed += Int(foreground)
                                    i += 1
                                }
                            }
                        }
                    }
                }
            }
        }
        return changed
    }

    @inline(__always) private static func laneSum(_ lanes: SIMD16<UInt8>) -> Int {
        var sum = 0
        for lane in 0..<16 { sum += Int(lanes[lane]) }
        return sum
    }

    /// SuBSENSE's feedback: blinking pixels and pixels with a dynamic background get a
    /// higher threshold and a shorter update period; steady ones the reverse. Also sets
    /// next frame's threshold and draws this frame's updates: the draw against 1/T is a
    /// compare with a table of random numbers read at a random offset each frame (ViBe's
    /// trick), so the whole pass is branch-free and vectorises.
    private mutating func feedback(learning: Bool) {
        let width = self.width, height = self.height
        let base = Float(settings.sampleDistance)
        let largestFactor = Float(max(1, settings.largestThresholdFactor))
        let shortestPeriod = tuning.shortestPeriod
        let steady = tuning.weakBlinking, weakFraction = tuning.weakFraction

        // Feedback and updates visit one row in `rowStep` each frame, in turn: each draw is
        // that much more likely and the mean distance learns that much faster.
        let (rowStart, rowStep) = Self.visitedRows(learning: learning, frame: framesSeen, step: tuning.updateRowStep)
        let scale: Float = learning ? 0 : Float(rowStep) * 65535
        let meanRate = 0.04 * Float(rowStep), blinkDecay = 0.1 * Float(rowStep)
        let thresholdStep = tuning.thresholdStep * Float(rowStep)
        let everything: UInt16 = learning ? 65535 : 0
        let offset = Int(nextRandom() % UInt64(Self.randomTableSize))
        let otherOffset = Int(nextRandom() % UInt64(Self.randomTableSize))
        raw.pixels.withUnsafeBufferPointer { current in
            previousRaw.withUnsafeMutableBufferPointer { before in
                minimumDistance.withUnsafeBufferPointer { nearest in
                    meanMinimumDistance.withUnsafeMutableBufferPointer { mean in
                        blinking.withUnsafeMutableBufferPointer { v in
                            thresholdFactor.withUnsafeMutableBufferPointer { r in
                                updatePeriod.withUnsafeMutableBufferPointer { t in
                                    threshold.withUnsafeMutableBufferPointer { limit in
                                    weakLimit.withUnsafeMutableBufferPointer { weakAt in
                                        chosen.withUnsafeMutableBufferPointer { picked in
                                            randomTable.withUnsafeBufferPointer { table in
                                                let own = table.baseAddress! + offset, other = table.baseAddress! + otherOffset
                                                for y in stride(from: rowStart, to: height, by: rowStep) {
                                                // Two passes over the row, each with fewer arrays in flight: one
                                                // loop over all of them spilled its pointers every pixel.
                                                for i in (y * width)..<(y * width + width) {
                                                    let foreground: Float = current[i] != 0 ? 1 : 0
                                                    // Foreground pixels' distances are the object's, not the background's.
                                                    let rate = meanRate * (1 - foreground)
                                                    let d = mean[i] + (Float(nearest[i]) * (1 / 255) - mean[i]) * rate
                                                    mean[i] = d
                                                    let flipped: Float = current[i] != before[i] ? 1 : 0
                                                    let vi = max(0, v[i] + flipped * (1 + blinkDecay) - blinkDecay)
                                                    v[i] = vi
                                                    let target = (1 + 2 * d) * (1 + 2 * d)
                                                    let ri = r[i]
                                                    let vv = max(vi, 0.1)
                                                    let raised = ri + thresholdStep * (vi - 0.1), lowered = ri - thresholdStep / vv
                                                    let factor = min(max(ri < target ? raised : lowered, 1), largestFactor)
                                                    r[i] = factor
                                                    limit[i] = UInt8(truncatingIfNeeded: Self.roundedBits(min(255, factor * base)))
                                                    let weakDistance = vi <= steady ? factor * base * weakFraction : 255
                                                    weakAt[i] = UInt8(truncatingIfNeeded: Self.roundedBits(min(255, weakDistance)))
                                                    before[i] = current[i]
                                                }
                                                for i in (y * width)..<(y * width + width) {
                                                    let foreground = current[i] != 0
                                                    let vi = v[i]
                                                    let dd = max(mean[i], 0.004), vv = max(vi, 0.1)
                                                    let ti = t[i]
                                                    let slower = ti + 0.5 / (dd * vv), faster = ti - 0.25 * vi / dd
                                                    let period = min(max(foreground ? slower : faster, shortestPeriod), 256)
                                                    t[i] = period
                                                    let chance = UInt16(truncatingIfNeeded: Self.roundedBits(min(65535, scale / period))) | everything
                                                    let background: UInt8 = !foreground || learning ? 1 : 0
                                                    picked[i] = background & ((own[i] < chance ? 1 : 0) | (other[i] < chance ? 2 : 0))
                                                }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        }
    }

    /// The rows feedback and update visit this frame: all while learning, else one in
    /// `updateRowStep`, in turn.
    private static func visitedRows(learning: Bool, frame: Int, step: Int) -> (start: Int, step: Int) {
        learning ? (0, 1) : (frame % step, step)
    }

    /// Conservative random update of the pixels `feedback` drew: one of their samples,
    /// and one of a background neighbour's, take the pixel's value. Only the rows `feedback`
    /// visited (one in `updateRowStep`, in turn, at that many times the chance); while
    /// learning every pixel updates, every frame.
    private mutating func update(_ image: GrayImage, learning: Bool) {
        let width = self.width, height = self.height, count = width * height
        let mask = Self.sampleCount - 1
        let (rowStart, rowStep) = Self.visitedRows(learning: learning, frame: framesSeen, step: tuning.updateRowStep)
        // Which sample, which neighbour and which of its samples: nine bits of the random
        // table at a random offset, as feedback draws its chances (no serial generator).
        let offset = Int(nextRandom() % UInt64(Self.randomTableSize))
        image.pixels.withUnsafeBufferPointer { input in
            samples.withUnsafeMutableBufferPointer { model in
                raw.pixels.withUnsafeBufferPointer { current in
                    chosen.withUnsafeBufferPointer { picked in
                        neighbourOffsets.withUnsafeBufferPointer { offsets in
                            randomTable.withUnsafeBufferPointer { table in
                                let draws = table.baseAddress! + offset
                                let words = UnsafeRawPointer(picked.baseAddress!)
                                for y in stride(from: rowStart, to: height, by: rowStep) {
                                    let interiorRow = y > 0 && y < height - 1
                                    let row = y * width, rowEnd = row + width
                                    var i = row
                                    while i < rowEnd {
                                        if i + 8 <= rowEnd && words.loadUnaligned(fromByteOffset: i, as: UInt64.self) == 0 { i += 8; continue }
                                        let choice = picked[i]
                                        if choice != 0 {
                                            let r = Int(draws[i])
                                            let value = input[i]
                                            if choice & 1 != 0 { model[(r & mask) &* count &+ i] = value }
                                            let x = i - row
                                            if choice & 2 != 0 && interiorRow && x > 0 && x < width - 1 {
                                                let n = i &+ offsets[(r >> 3) & 7]
                                                if learning || current[n] == 0 {
                                                    model[((r >> 6) & mask) &* count &+ n] = value
                                                }
                                            }
                                        }
                                        i += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Float to integer for 0 ≤ value < 2²²: adding 1.5 × 2²³ puts the rounded integer in
    /// the low mantissa bits. Unlike `Int(value)` it has no overflow trap, so loops vectorise.
    @inline(__always) static func roundedBits(_ value: Float) -> UInt32 {
        (value + 12_582_912).bitPattern & 0x3F_FFFF
    }

    static let randomTableSize = 1 << 16

    /// Hysteresis after the cleaned mask: a low-contrast object (a cyclist against the
    /// verge, a grey coat on a grey floor) has only a scatter of pixels past the threshold,
    /// and the majority removes most of them. Its other pixels are still unlike every
    /// sample, if by less, and the object's scatter is still dense. So blobs of some size
    /// grow, a few 3×3 steps, into weak foreground: pixels that pass a looser majority, and
    /// steady pixels whose nearest sample is farther than a fraction of their threshold.
    /// Specks (sway, shake, noise) do not grow, and weak pixels away from a blob stay
    /// background. Returns whether it added any pixel; the mask to clean is then in `smoothed`.
    private mutating func growIntoWeak() -> Bool {
        let width = self.width, height = self.height, count = width * height
        guard tuning.growSteps > 0 && width >= 3 && height >= 3 else { return false }
        // Seeds: the pixels of blobs of some size.
        let steps = tuning.growSteps
        seedBlobs.removeAll(keepingCapacity: true)
        for blob in extractor.blobs {
            seedBlobs.append(blob.area >= Self.seedArea(for: blob, perspective: settings.perspective, tuning: tuning, width: width, height: height))
        }
        growRegions.removeAll(keepingCapacity: true)
        for (index, blob) in extractor.blobs.enumerated() where seedBlobs[index] {
            // Growth from a blob stays within its box widened by the steps (one pixel a
            // step), so only those regions are visited: in most frames a small part of it,
            // and far less than the box around every blob when they are spread out.
            growRegions.append(GrowRegion(left: max(0, Int(blob.box.x) - steps), right: min(width, Int(blob.box.x + blob.box.width) + steps),
                                          top: max(0, Int(blob.box.y) - steps), bottom: min(height, Int(blob.box.y + blob.box.height) + steps)))
        }
        guard !growRegions.isEmpty else { return false }
        smoothed.pixels.withUnsafeMutableBufferPointer { seeds in
            seeds.update(repeating: 0)
            let seedBlobs = self.seedBlobs
            extractor.mark(blobsWhere: { seedBlobs[$0] }, into: seeds, width: width)
        }
        // Weak past `weakLimit` (set by feedback; 255 where the pixel blinks).
        typealias Lanes = SIMD16<UInt8>
        let one = Lanes(repeating: 1), zero = Lanes(repeating: 0)
        minimumDistance.withUnsafeBufferPointer { nearest in
            weakLimit.withUnsafeBufferPointer { limit in
                weak.withUnsafeMutableBufferPointer { out in
                    let d = UnsafeRawPointer(nearest.baseAddress!), l = UnsafeRawPointer(limit.baseAddress!)
                    let o = UnsafeMutableRawPointer(out.baseAddress!)
                    var i = 0
                    while i + 16 <= count {
                        let far = one.replacing(with: zero, where: d.loadUnaligned(fromByteOffset: i, as: Lanes.self) .<= l.loadUnaligned(fromByteOffset: i, as: Lanes.self))
                        o.storeBytes(of: o.loadUnaligned(fromByteOffset: i, as: Lanes.self) | far, toByteOffset: i, as: Lanes.self)
                        i += 16
                    }
                    while i < count {
                        out[i] |= nearest[i] > limit[i] ? 1 : 0
                        i += 1
                    }
                }
            }
        }
        var grewAny = false
        for _ in 0..<steps {
            var changed: UInt8 = 0, changes = Lanes(repeating: 0)
            smoothed.pixels.withUnsafeMutableBufferPointer { current in
                weak.withUnsafeBufferPointer { candidates in
                    grown.withUnsafeMutableBufferPointer { columns in
                        // Vertical OR of three rows into `grown` for every region first, then the
                        // horizontal OR of three of those, where weak, added to the mask in place:
                        // where regions overlap the columns are the same, so a step still grows
                        // one pixel.
                        let m = UnsafeRawPointer(current.baseAddress!), v = UnsafeMutableRawPointer(columns.baseAddress!)
                        for region in growRegions {
                            let left = region.left, right = region.right
                            for y in region.top..<region.bottom {
                                let above = max(0, y - 1) * width, row = y * width, below = min(height - 1, y + 1) * width
                                guard right - left >= 16 else {
                                    for x in left..<right { columns[row + x] = current[above + x] | current[row + x] | current[below + x] }
                                    continue
                                }
                                // Sixteen at a time; the last sixteen overlap the ones before
                                // (writing a column twice gives the same column), no scalar tail.
                                var x = left
                                while true {
                                    let column = m.loadUnaligned(fromByteOffset: above + x, as: Lanes.self) | m.loadUnaligned(fromByteOffset: row + x, as: Lanes.self)
                                        | m.loadUnaligned(fromByteOffset: below + x, as: Lanes.self)
                                    v.storeBytes(of: column, toByteOffset: row + x, as: Lanes.self)
                                    if x == right - 16 { break }
                                    x = min(x + 16, right - 16)
                                }
                            }
                        }
                        for region in growRegions {
                            let left = region.left, right = region.right
                            for y in region.top..<region.bottom {
                                let row = y * width
                                let c = columns.baseAddress! + row, mask = current.baseAddress! + row, weak = candidates.baseAddress! + row
                                // The row's two ends, then the interior without bounds checks (it vectorises).
                                // (A stride, not an array literal: nothing allocated per row.)
                                for x in stride(from: left, through: right - 1, by: max(1, right - 1 - left)) {
                                    let reach = c[max(x - 1, left)] | c[x] | c[min(x + 1, right - 1)]
                                    let value = mask[x] | (reach & weak[x])
                                    changed |= value ^ mask[x]
                                    mask[x] = value
                                }
                                guard right - left > 2 else { continue }
                                guard right - 1 - (left + 1) >= 16 else {
                                    for x in (left + 1)..<(right - 1) {
                                        let value = mask[x] | ((c[x - 1] | c[x] | c[x + 1]) & weak[x])
                                        changed |= value ^ mask[x]
                                        mask[x] = value
                                    }
                                    continue
                                }
                                // As above, the last sixteen overlap: adding the same reach again
                                // changes nothing, since the columns are fixed for this step.
                                let cr = UnsafeRawPointer(c), wr = UnsafeRawPointer(weak), mr = UnsafeMutableRawPointer(mask)
                                let last = right - 1 - 16
                                var x = left + 1
                                // Changes gathered in a local: `changes` lives in memory across the
                                // closures, and or-ing into it per vector chained every iteration.
                                var rowChanges = Lanes(repeating: 0)
                                while true {
                                    let reach = cr.loadUnaligned(fromByteOffset: x - 1, as: Lanes.self) | cr.loadUnaligned(fromByteOffset: x, as: Lanes.self)
                                        | cr.loadUnaligned(fromByteOffset: x + 1, as: Lanes.self)
                                    let old = mr.loadUnaligned(fromByteOffset: x, as: Lanes.self)
                                    let value = old | (reach & wr.loadUnaligned(fromByteOffset: x, as: Lanes.self))
                                    rowChanges |= value ^ old
                                    mr.storeBytes(of: value, toByteOffset: x, as: Lanes.self)
                                    if x == last { break }
                                    x = min(x + 16, last)
                                }
                                changes |= rowChanges
                            }
                        }
                    }
                }
            }
            if changed == 0 && changes == Lanes(repeating: 0) { break }
            grewAny = true
        }
        // Blobs too small to seed stay in the mask as they were.
        mask.pixels.withUnsafeBufferPointer { kept in
            smoothed.pixels.withUnsafeMutableBufferPointer { out in
                for i in 0..<count { out[i] |= kept[i] != 0 ? 1 : 0 }
            }
        }
        return grewAny
    }

    /// Growth that joins two seeds (neighbouring cars and the shadow between them, two
    /// people side by side) is undone for the blob it made: that blob goes back to its
    /// pixels before growth, every other blob keeps its growth. Returns whether any was undone.
    private mutating func separateJoinedSeeds() -> Bool {
        let blobs = extractor.blobs, seeds = seedCentres
        func joinsSeeds(_ blob: Blob) -> Bool {
            var inside = 0
            for seed in seeds where seed.x >= blob.box.x && seed.x < blob.box.x + blob.box.width
                && seed.y >= blob.box.y && seed.y < blob.box.y + blob.box.height {
                inside += 1
                if inside == 2 { return true }
            }
            return false
        }
        guard blobs.contains(where: joinsSeeds) else { return false }
        let count = width * height
        beforeGrowth.pixels.withUnsafeBufferPointer { before in
            smoothed.pixels.withUnsafeMutableBufferPointer { out in
                for i in 0..<count { out[i] = before[i] != 0 ? 1 : 0 }
                extractor.mark(blobsWhere: { !joinsSeeds(blobs[$0]) }, into: out, width: width)
            }
        }
        return true
    }

    /// The area a blob needs to seed hysteresis in a `width`×`height` frame: `growFromArea`,
    /// or with a perspective `seedPersonFraction` of a person's area where the blob's foot is,
    /// if that is smaller, but not under `smallestSeed`.
    public static func seedArea(for blob: Blob, perspective: PerspectiveScale?, tuning: Tuning, width: Int, height: Int) -> Int {
        guard let perspective, height > 0 else { return tuning.growFromArea }
        let foot = blob.box.anchor.y / Double(height)
        let area = Int((tuning.seedPersonFraction * perspective.personArea(atY: foot, width: width, height: height)).rounded(.up))
        return min(tuning.growFromArea, max(tuning.smallestSeed, area))
    }

    /// The majority of 25 each row of a `height`-row frame needs: `tuning.majority`, or fewer
    /// where the perspective's person height at that row is under `fullMajorityHeight` pixels
    /// (linear down to `smallObjectMajority` at `smallObjectHeight`). Without a perspective,
    /// `tuning.majority` everywhere: nothing says how big objects are.
    public static func majorityPerRow(height: Int, perspective: PerspectiveScale?, tuning: Tuning) -> [Int] {
        guard let perspective, tuning.fullMajorityHeight > tuning.smallObjectHeight,
              tuning.smallObjectMajority < tuning.majority else {
            return [Int](repeating: tuning.majority, count: height)
        }
        return (0..<height).map { y in
            let pixels = perspective.personPixels(atY: (Double(y) + 0.5) / Double(height), height: height)
            let t = min(1, max(0, (pixels - tuning.smallObjectHeight) / (tuning.fullMajorityHeight - tuning.smallObjectHeight)))
            return tuning.smallObjectMajority + Int((t * Double(tuning.majority - tuning.smallObjectMajority)).rounded())
        }
    }

    /// 5×5 majority of the raw mask (`majorityPerRow` of 25), with separable box sums.
    /// Also writes the weak mask's first part: the same sums at the weak majority, as far
    /// below as `tuning.weakMajority` is below `tuning.majority`.
    private mutating func smoothMajority() {
        let width = self.width, height = self.height
        guard width >= 5 && height >= 5 && tuning.majority > 0 else {
            smoothed.pixels = raw.pixels
            weak = raw.pixels
            return
        }
        if rowMajority.count != height || rowMajorityPerspective != settings.perspective {
            let rows = Self.majorityPerRow(height: height, perspective: settings.perspective, tuning: tuning)
            let weakStep = tuning.majority - tuning.weakMajority
            rowMajority = rows.map { UInt8(clamping: $0) }
            rowWeakMajority = rows.map { UInt8(clamping: max(1, $0 - weakStep)) }
            rowMajorityPerspective = settings.perspective
        }
        let rowMajority = self.rowMajority, rowWeakMajority = self.rowWeakMajority
        raw.pixels.withUnsafeBufferPointer { input in
          weak.withUnsafeMutableBufferPointer { lesser in
            smoothed.pixels.withUnsafeMutableBufferPointer { out in
                columnSums.withUnsafeMutableBufferPointer { sums in
                    sums.update(repeating: 0)
                    for y in 0..<2 { for x in 0..<width { sums[x] &+= input[y * width + x] } }
                    for y in 0..<height {
                        let row = y * width
                        let column = sums.baseAddress!
                        if y + 2 < height {
                            let entering = input.baseAddress! + (y + 2) * width
                            for x in 0..<width { column[x] &+= entering[x] }
                        }
                        if y >= 3 {
                            let leaving = input.baseAddress! + (y - 3) * width
                            for x in 0..<width { column[x] &-= leaving[x] }
                        }
                        // sums now cover rows y-2 … y+2 (clipped at the edges); the
                        // interior's five-column sums are independent, so they vectorise.
                        let target = out.baseAddress! + row, near = lesser.baseAddress! + row
                        let majority = rowMajority[y], weakMajority = rowWeakMajority[y]
                        for x in 2..<(width - 2) {
                            let window = column[x - 2] &+ column[x - 1] &+ column[x] &+ column[x + 1] &+ column[x + 2]
                            target[x] = window >= majority ? 1 : 0
                            near[x] = window >= weakMajority ? 1 : 0
                        }
                        for edge in 0..<4 {
                            let x = edge < 2 ? edge : width - 4 + edge
                            var window = 0
                            for k in max(0, x - 2)...min(width - 1, x + 2) { window += Int(column[k]) }
                            target[x] = window >= Int(majority) ? 1 : 0
                            near[x] = window >= Int(weakMajority) ? 1 : 0
                        }
                    }
                }
            }
          }
        }
    }
}
