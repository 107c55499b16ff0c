import VigilVision

/// Named scenes for tests, benchmarks and the demo. Each is generated from a seed,
/// so `preset(.traffic, seed: 7)` is the same clip on every machine.
public enum ScenePreset: String, CaseIterable, Sendable {
    /// People walking across a plaza, singly and in a group, with a counting line.
    case people
    /// Vehicles in two lanes going opposite ways, with a counting line across both.
    case traffic
    /// People and vehicles with noise, a light ramp, a swaying region and slight shake.
    case mixed
    /// No objects: gradual and sudden light changes over noise (nothing should be detected).
    case lights
    /// No objects: a swaying region, noise and camera shake (nothing should be detected).
    case sway
    /// People and vehicles casting soft shadows (30–45 % darker ground) beside them.
    case shadows
}

extension SceneSpec {
    public static func preset(_ preset: ScenePreset, width: Int = 480, height: Int = 270, framesPerSecond: Int = 25,
                              frameCount: Int = 250, seed: UInt64 = 1) -> SceneSpec {
        var random = SeededRandom(seed: seed &* 0x2545_F491_4F6C_DD1D)
        let name = preset.rawValue
        var spec = SceneSpec(name: name, width: width, height: height, framesPerSecond: framesPerSecond,
                             frameCount: frameCount, seed: seed)
        let crossLine = SceneLine(id: "crossing", segment: LineSegment(from: Point(x: 0.5, y: 0.05), to: Point(x: 0.5, y: 0.98)))
        switch preset {
        case .people:
            spec.objects = walkers(count: max(3, frameCount / 40), frameCount: frameCount, firstID: 1, random: &random)
            spec.objects += group(size: 3, frameCount: frameCount, firstID: 100, random: &random)
            spec.lines = [crossLine]
            spec.noiseSigma = 2
        case .traffic:
            spec.objects = vehicles(count: max(4, frameCount / 25), frameCount: frameCount, firstID: 1, random: &random)
            spec.lines = [crossLine]
            spec.noiseSigma = 2
        case .mixed:
            spec.objects = walkers(count: max(2, frameCount / 60), frameCount: frameCount, firstID: 1, random: &random)
                + vehicles(count: max(2, frameCount / 50), frameCount: frameCount, firstID: 50, random: &random)
                + group(size: 3, frameCount: frameCount, firstID: 100, random: &random)
            spec.lines = [crossLine]
            spec.noiseSigma = 3
            spec.lightChanges = [.ramp(startFrame: frameCount / 4, endFrame: frameCount * 3 / 4, from: 1.0, to: 0.8)]
            spec.sway = SwayRegion(box: Box(x: 0.02, y: 0.02, width: 0.2, height: 0.3), amplitude: 2, period: 30)
            spec.shakePixels = 1
        case .lights:
            spec.noiseSigma = 3
            spec.lightChanges = [
                .ramp(startFrame: 0, endFrame: frameCount / 2, from: 1.0, to: 0.7),
                .step(frame: frameCount * 3 / 4, gain: 1.3),
            ]
        case .shadows:
            spec.objects = walkers(count: max(3, frameCount / 50), frameCount: frameCount, firstID: 1, random: &random)
                + vehicles(count: max(2, frameCount / 50), frameCount: frameCount, firstID: 50, random: &random)
            for index in spec.objects.indices { spec.objects[index].shadow = random.uniform(0.55, 0.7) }
            spec.lines = [crossLine]
            spec.noiseSigma = 2
        case .sway:
            spec.noiseSigma = 3
            spec.sway = SwayRegion(box: Box(x: 0.55, y: 0.05, width: 0.4, height: 0.5), amplitude: 3, period: 25)
            spec.shakePixels = 2
        }
        return spec
    }

    /// Single pedestrians crossing left↔right at walking pace, entering at staggered times.
    static func walkers(count: Int, frameCount: Int, firstID: Int, random: inout SeededRandom) -> [SceneObject] {
        (0..<count).map { index in
            let leftToRight = index % 2 == 0
            let y = random.uniform(0.55, 0.95)
            let duration = Int(random.uniform(0.5, 0.9) * Double(frameCount))
            let start = Int(random.uniform(0, Double(max(1, frameCount - duration))))
            let (fromX, toX) = leftToRight ? (-0.05, 1.05) : (1.05, -0.05)
            return SceneObject(id: firstID + index, kind: .person, width: 0.035, height: 0.16,
                               intensity: random.unit() < 0.5 ? Int(random.uniform(15, 45)) : Int(random.uniform(205, 240)),
                               path: [.init(frame: start, x: fromX, y: y), .init(frame: start + duration, x: toX, y: y + random.uniform(-0.05, 0.03))])
        }
    }

    /// Three or more people walking side by side, the case that merges into one blob.
    static func group(size: Int, frameCount: Int, firstID: Int, random: inout SeededRandom) -> [SceneObject] {
        let y = random.uniform(0.6, 0.85)
        let start = frameCount / 5, end = frameCount - 1
        return (0..<size).map { index in
            let offset = Double(index) * 0.03
            return SceneObject(id: firstID + index, kind: .person, width: 0.035, height: 0.16,
                               intensity: Int(random.uniform(20, 50)),
                               path: [.init(frame: start, x: 1.05 + offset, y: y + offset * 0.5), .init(frame: end, x: -0.1 + offset, y: y + offset * 0.5)])
        }
    }

    /// Vehicles on two lanes: the upper lane drives left, the lower lane right.
    static func vehicles(count: Int, frameCount: Int, firstID: Int, random: inout SeededRandom) -> [SceneObject] {
        (0..<count).map { index in
            let lowerLane = index % 2 == 0
            let y = lowerLane ? 0.8 : 0.55
            let duration = Int(random.uniform(40, 90) * Double(frameCount) / 250)
            let start = index * max(1, (frameCount - duration) / max(1, count))
            let (fromX, toX) = lowerLane ? (-0.15, 1.15) : (1.15, -0.15)
            return SceneObject(id: firstID + index, kind: .vehicle, width: random.uniform(0.12, 0.2), height: random.uniform(0.1, 0.14),
                               intensity: random.unit() < 0.5 ? Int(random.uniform(10, 40)) : Int(random.uniform(210, 245)),
                               path: [.init(frame: start, x: fromX, y: y), .init(frame: min(frameCount - 1, start + duration), x: toX, y: y)])
        }
    }
}
