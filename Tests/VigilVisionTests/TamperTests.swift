import Testing
import VigilAnalytics
import VigilSynth
import VigilVision

/// Camera tamper on synthetic scenes: from frame 100 to 199 the picture is covered,
/// defocused or from another view; the alarm must start 3 s (the persistence) after the
/// onset and end 3 s after the view is back, within half a second, with the right reason;
/// normal scenes (objects, light changes, sway, shake) must raise nothing.
@Suite("Camera tamper against ground truth")
struct TamperTests {
    enum Tamper: String, CaseIterable { case covered, defocused, moved }

    func run(_ spec: SceneSpec, tamper: Tamper? = nil) -> [TamperRule.Transition] {
        let renderer = SceneRenderer(spec: spec)
        // Another place entirely: what the camera sees after being turned.
        let elsewhere = SceneRenderer(spec: SceneSpec.preset(.people, width: spec.width, height: spec.height, frameCount: spec.frameCount, seed: spec.seed + 99))
        var detector = TamperDetector()
        var rule = TamperRule()
        var transitions: [TamperRule.Transition] = []
        for frame in 0..<spec.frameCount {
            var image = renderer.render(frame: frame).image
            if let tamper, (100..<200).contains(frame) {
                switch tamper {
                case .covered: image = covered(image, frame: frame)
                case .defocused: image = blurred(blurred(image))
                case .moved: image = elsewhere.render(frame: frame).image
                }
            }
            if let transition = rule.observe(detector.analyze(image), frame: frame, pts: Double(frame) / 25) { transitions.append(transition) }
        }
        return transitions
    }

    /// A hand over the lens: dark, nearly uniform, a little sensor noise.
    func covered(_ image: GrayImage, frame: Int) -> GrayImage {
        var out = image
        for i in out.pixels.indices { out.pixels[i] = UInt8(22 + (i &* 7 &+ frame) % 3) }
        return out
    }

    /// 5×5 box blur (twice gives a strong defocus).
    func blurred(_ image: GrayImage) -> GrayImage {
        var out = image
        let w = image.width, h = image.height
        for y in 0..<h {
            for x in 0..<w {
                var sum = 0, n = 0
                for dy in -2...2 { for dx in -2...2 {
                    let yy = y + dy, xx = x + dx
                    if yy >= 0 && yy < h && xx >= 0 && xx < w { sum += Int(image.pixels[yy * w + xx]); n += 1 }
                } }
                out.pixels[y * w + x] = UInt8(sum / n)
            }
        }
        return out
    }

    @Test("covering, defocusing and turning the camera raise tamper with the reason, 3 s after onset, and end 3 s after", arguments: Tamper.allCases)
    func tampering(tamper: Tamper) {
        let spec = SceneSpec.preset(.mixed, width: 240, height: 136, frameCount: 300, seed: 8)
        let transitions = run(spec, tamper: tamper)
        #expect(transitions.map(\.started) == [true, false], "\(transitions)")
        #expect(transitions.first?.reason.rawValue == tamper.rawValue, "\(transitions)")
        if transitions.count == 2 {
            #expect(abs(transitions[0].pts - (4 + 3)) <= 0.5, "start at \(transitions[0].pts) s; tampered from 4 s")
            #expect(abs(transitions[1].pts - (8 + 3)) <= 0.5, "end at \(transitions[1].pts) s; normal again from 8 s")
        }
    }

    @Test("moving objects, light ramps and steps, sway and shake are not tampering", arguments: [ScenePreset.mixed, .lights, .sway, .traffic])
    func normalScenes(preset: ScenePreset) {
        let spec = SceneSpec.preset(preset, width: 240, height: 136, frameCount: 300, seed: 8)
        #expect(run(spec).isEmpty)
    }
}
