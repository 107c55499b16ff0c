import Testing
import VigilSynth
import VigilVision

@Suite("Synthetic scenes and their ground truth")
struct SynthTests {
    @Test("the same spec renders the same pixels; another seed does not")
    func determinism() {
        let spec = SceneSpec.preset(.mixed, width: 160, height: 90, frameCount: 40, seed: 5)
        let first = SceneRenderer(spec: spec).render(frame: 20)
        let second = SceneRenderer(spec: spec).render(frame: 20)
        #expect(first.image == second.image && first.mask == second.mask && first.truth == second.truth)
        let other = SceneRenderer(spec: SceneSpec.preset(.mixed, width: 160, height: 90, frameCount: 40, seed: 6)).render(frame: 20)
        #expect(other.image != first.image)
    }

    @Test("boxes are exactly the extent of each object's mask pixels", arguments: ScenePreset.allCases)
    func boxesMatchMask(preset: ScenePreset) {
        let spec = SceneSpec.preset(preset, width: 240, height: 136, frameCount: 60, seed: 2)
        let renderer = SceneRenderer(spec: spec)
        for frame in stride(from: 0, to: 60, by: 7) {
            let (_, mask, truth) = renderer.render(frame: frame)
            var inBoxes = 0
            for y in 0..<mask.height {
                for x in 0..<mask.width where mask[x, y] == 255 {
                    let px = Double(x), py = Double(y)
                    let covered = truth.objects.contains { px >= $0.box.x && px < $0.box.x + $0.box.width && py >= $0.box.y && py < $0.box.y + $0.box.height }
                    #expect(covered, "mask pixel (\(x), \(y)) outside every box at frame \(frame)")
                    inBoxes += 1
                }
            }
            #expect(inBoxes == truth.foregroundPixels)
            if preset == .lights || preset == .sway { #expect(truth.objects.isEmpty && inBoxes == 0) }
        }
    }

    @Test("objects are where their path says, and only while it lasts")
    func objectPath() {
        let walker = SceneObject(id: 1, kind: .person, width: 0.05, height: 0.2, intensity: 30,
                                 path: [.init(frame: 10, x: 0.2, y: 0.8), .init(frame: 30, x: 0.8, y: 0.8)])
        let spec = SceneSpec(name: "t", width: 200, height: 100, frameCount: 40, seed: 1, objects: [walker], noiseSigma: 0)
        let renderer = SceneRenderer(spec: spec)
        #expect(renderer.render(frame: 5).truth.objects.isEmpty)
        #expect(renderer.render(frame: 35).truth.objects.isEmpty)
        let middle = renderer.render(frame: 20).truth.objects
        #expect(middle.count == 1)
        let box = middle[0].box
        // Anchor (bottom centre) at x = 0.5·200 = 100, y = 0.8·100 = 80.
        #expect(abs(box.anchor.x - 100) <= 1 && abs(box.anchor.y - 80) <= 1)
        #expect(abs(box.width - 10) <= 1 && abs(box.height - 20) <= 1)
    }

    @Test("camera shake moves the picture but not the amount of foreground")
    func shake() {
        var spec = SceneSpec.preset(.traffic, width: 200, height: 112, frameCount: 60, seed: 4)
        spec.noiseSigma = 0
        let still = SceneRenderer(spec: spec)
        spec.shakePixels = 3
        let shaken = SceneRenderer(spec: spec)
        var moved = false
        for frame in [20, 30, 40] {
            let a = still.render(frame: frame), b = shaken.render(frame: frame)
            #expect(abs(a.truth.foregroundPixels - b.truth.foregroundPixels) <= a.truth.foregroundPixels / 10 + 4)
            if a.image != b.image { moved = true }
        }
        #expect(moved)
    }

    @Test("light changes scale the picture as specified")
    func lightChanges() {
        let spec = SceneSpec(name: "l", width: 64, height: 36, frameCount: 100, seed: 1, noiseSigma: 0,
                             lightChanges: [.ramp(startFrame: 0, endFrame: 50, from: 1, to: 0.5), .step(frame: 80, gain: 1.2)])
        let renderer = SceneRenderer(spec: spec)
        let base = renderer.render(frame: 0).image.mean()
        #expect(abs(renderer.render(frame: 25).image.mean() / base - 0.75) < 0.02)
        #expect(abs(renderer.render(frame: 60).image.mean() / base - 0.5) < 0.02)
        #expect(abs(renderer.render(frame: 90).image.mean() / base - 0.6) < 0.02)
    }

    @Test("sensor noise has the requested spread")
    func noise() {
        let clean = SceneRenderer(spec: SceneSpec(name: "n", width: 128, height: 72, frameCount: 2, seed: 3, noiseSigma: 0)).render(frame: 1).image
        let noisy = SceneRenderer(spec: SceneSpec(name: "n", width: 128, height: 72, frameCount: 2, seed: 3, noiseSigma: 4)).render(frame: 1).image
        var sum = 0.0
        for i in 0..<clean.pixels.count { let d = Double(Int(noisy.pixels[i]) - Int(clean.pixels[i])); sum += d * d }
        let sigma = (sum / Double(clean.pixels.count)).squareRoot()
        #expect(sigma > 3.5 && sigma < 4.5, "measured σ \(sigma)")
    }

    @Test("line crossings: through, stop on the line and turn back, walk along, pass beside")
    func crossings() {
        let line = SceneLine(id: "gate", segment: LineSegment(from: Point(x: 0.2, y: 0.5), to: Point(x: 0.8, y: 0.5)))
        let objects = [
            // Walks down through the line: from side A (above) to B.
            SceneObject(id: 1, kind: .person, width: 0.03, height: 0.1, intensity: 20,
                        path: [.init(frame: 0, x: 0.5, y: 0.2), .init(frame: 20, x: 0.5, y: 0.8)]),
            // Walks up to the line, stops on it, turns back: never crosses.
            SceneObject(id: 2, kind: .person, width: 0.03, height: 0.1, intensity: 20,
                        path: [.init(frame: 0, x: 0.4, y: 0.2), .init(frame: 10, x: 0.4, y: 0.5),
                               .init(frame: 20, x: 0.4, y: 0.5), .init(frame: 30, x: 0.4, y: 0.2)]),
            // Crosses, then comes back: two crossings, opposite directions.
            SceneObject(id: 3, kind: .vehicle, width: 0.1, height: 0.05, intensity: 220,
                        path: [.init(frame: 0, x: 0.6, y: 0.8), .init(frame: 10, x: 0.6, y: 0.3), .init(frame: 20, x: 0.6, y: 0.8)]),
            // Walks along the line itself: no crossing.
            SceneObject(id: 4, kind: .person, width: 0.03, height: 0.1, intensity: 20,
                        path: [.init(frame: 0, x: 0.1, y: 0.5), .init(frame: 30, x: 0.9, y: 0.5)]),
            // Passes beyond the segment's end: no crossing.
            SceneObject(id: 5, kind: .person, width: 0.03, height: 0.1, intensity: 20,
                        path: [.init(frame: 0, x: 0.9, y: 0.2), .init(frame: 20, x: 0.9, y: 0.8)]),
        ]
        let spec = SceneSpec(name: "c", width: 100, height: 100, frameCount: 31, seed: 1, objects: objects, lines: [line])
        let found = spec.lineCrossings()
        #expect(found.map(\.objectID) == [3, 1, 3])
        #expect(found.first { $0.objectID == 1 }?.direction == .aToB)
        #expect(found.first { $0.objectID == 1 }?.frame == 11)
        #expect(found.filter { $0.objectID == 3 }.map(\.direction) == [.bToA, .aToB])
    }

    @Test("the traffic preset's vehicles each cross the counting line once")
    func trafficCounts() {
        let spec = SceneSpec.preset(.traffic, frameCount: 250, seed: 8)
        let crossings = spec.lineCrossings()
        let fullyCrossing = spec.objects.filter { object in
            let first = object.anchor(at: object.firstFrame)!, last = object.anchor(at: object.lastFrame)!
            return (first.x - 0.5) * (last.x - 0.5) < 0
        }
        #expect(crossings.count == fullyCrossing.count)
        #expect(Set(crossings.map(\.objectID)).count == crossings.count)
    }
}
