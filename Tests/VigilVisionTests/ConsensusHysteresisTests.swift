import Testing
import VigilVision

/// The consensus model's hysteresis (`growIntoWeak`), on hand-made frames: a flat grey
/// floor, then a square object 60 levels brighter (far past the 20-level sample distance)
/// inside a 3-pixel rim only 8 levels brighter (weak: under the threshold, over 0.2 of it),
/// and away from it a patch just as weak on its own.
@Suite("Consensus motion: hysteresis")
struct ConsensusHysteresisTests {
    static let width = 160, height = 120
    static let core = (x: 40..<56, y: 40..<56)
    static let rim = (x: 37..<59, y: 37..<59)
    static let patch = (x: 110..<130, y: 60..<80)

    static func frame(withObject: Bool) -> GrayImage {
        var image = GrayImage(width: width, height: height, fill: 100)
        guard withObject else { return image }
        for y in rim.y { for x in rim.x { image.pixels[y * width + x] = 108 } }
        for y in core.y { for x in core.x { image.pixels[y * width + x] = 160 } }
        for y in patch.y { for x in patch.x { image.pixels[y * width + x] = 108 } }
        return image
    }

    /// Share of the marked pixels in the core, the rim (without the core) and the lone patch
    /// on the frame where the object appears, after 30 frames of floor alone. (A rim that
    /// then stays put is background the model learns within a few frames, as it should.)
    static func marked(tuning: SampleConsensusMotion.Tuning) -> (core: Double, rim: Double, patch: Double) {
        var model = SampleConsensusMotion(settings: MotionSettings(), tuning: tuning)
        for _ in 0..<30 { _ = model.analyze(frame(withObject: false)) }
        _ = model.analyze(frame(withObject: true))
        guard let mask = model.lastMask else { return (0, 0, 0) }
        func share(_ xs: Range<Int>, _ ys: Range<Int>, excluding hole: (x: Range<Int>, y: Range<Int>)? = nil) -> Double {
            var on = 0, total = 0
            for y in ys {
                for x in xs {
                    if let hole, hole.x.contains(x) && hole.y.contains(y) { continue }
                    total += 1
                    if mask.pixels[y * width + x] != 0 { on += 1 }
                }
            }
            return Double(on) / Double(total)
        }
        return (share(core.x, core.y), share(rim.x, rim.y, excluding: core), share(patch.x, patch.y))
    }

    @Test("a blob grows into the weak rim around it; a weak patch on its own stays background")
    func growsIntoRim() {
        let grown = Self.marked(tuning: SampleConsensusMotion.Tuning())
        // The object was found (the thing that grows).
        #expect(grown.core > 0.95, "core \(grown.core)")
        #expect(grown.rim > 0.9, "rim \(grown.rim)")
        #expect(grown.patch == 0, "patch \(grown.patch)")
    }

    @Test("without hysteresis the same rim is background: the growth is what marks it")
    func rimNeedsHysteresis() {
        var tuning = SampleConsensusMotion.Tuning()
        tuning.growSteps = 0
        let plain = Self.marked(tuning: tuning)
        #expect(plain.core > 0.95, "core \(plain.core)")
        #expect(plain.rim < 0.3, "rim \(plain.rim)")
        #expect(plain.patch == 0, "patch \(plain.patch)")
    }

    /// Two bright squares 4 pixels apart, a weak strip between and around them (the
    /// shadow between two cars in neighbouring lanes): blobs after the object appears.
    static func pairBlobs(tuning: SampleConsensusMotion.Tuning) -> [Blob] {
        var model = SampleConsensusMotion(settings: MotionSettings(), tuning: tuning)
        for _ in 0..<30 { _ = model.analyze(frame(withObject: false)) }
        var image = GrayImage(width: width, height: height, fill: 100)
        for y in 37..<63 { for x in 37..<83 { image.pixels[y * width + x] = 108 } }
        for y in 40..<60 {
            for x in 40..<58 { image.pixels[y * width + x] = 160 }
            for x in 62..<80 { image.pixels[y * width + x] = 160 }
        }
        _ = model.analyze(image)
        return model.blobs
    }

    @Test("growth never joins two blobs: with it undone the two squares stay two")
    func growthKeepsBlobsApart() {
        let apart = Self.pairBlobs(tuning: SampleConsensusMotion.Tuning())
        #expect(apart.count == 2, "\(apart)")
        var joining = SampleConsensusMotion.Tuning()
        joining.keepSeedsApart = false
        // The growth itself is what joined them.
        let joined = Self.pairBlobs(tuning: joining)
        #expect(joined.count == 1, "\(joined)")
    }

    @Test("the tracker joins consensus blobs over a narrower gap than adaptive ones")
    func grouping() {
        let consensus = MotionModelKind.consensus.make(MotionSettings()).blobGrouping
        let adaptive = MotionModelKind.adaptive.make(MotionSettings()).blobGrouping
        #expect(consensus.gapFraction < adaptive.gapFraction)
        // Two 10×10 blobs 7 pixels apart in a 320×240 frame: within adaptive's gap (3 % of
        // the height, 7.2 pixels), beyond consensus's (2.8 %, 6.7 pixels).
        let pair = { (gap: Double) in
            [Blob(box: Box(x: 100, y: 100, width: 10, height: 10), area: 100, centroid: Point(x: 105, y: 105)),
             Blob(box: Box(x: 110 + gap, y: 100, width: 10, height: 10), area: 100, centroid: Point(x: 115 + gap, y: 105))]
        }
        var a = adaptive, c = consensus
        #expect(a.group(pair(7), frameWidth: 320, frameHeight: 240, perspective: nil).count == 1)
        #expect(c.group(pair(7), frameWidth: 320, frameHeight: 240, perspective: nil).count == 2)
    }
}
