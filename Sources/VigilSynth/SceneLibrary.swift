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
    /// A square filling up under a far-to-near perspective: people walk in and stand, alone
    /// and in tight overlapping groups, others pass through; sizes follow `crowdPerspective`.
    case crowd
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
        case .crowd:
            spec.objects = crowd(frameCount: frameCount, width: width, height: height, random: &random)
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

    /// The perspective of the `crowd` scene: a person is 7 % of the frame tall with feet at
    /// y = 0.35 and 25 % at y = 0.95.
    public static let crowdPerspective = PerspectiveScale(nearY: 0.95, nearPersonHeight: 0.25, farY: 0.35, farPersonHeight: 0.07)

    static func crowd(frameCount: Int, width: Int, height: Int, random: inout SeededRandom) -> [SceneObject] {
        let aspect = Double(height) / Double(width)
        var objects: [SceneObject] = []
        func person(id: Int, path: [SceneObject.Keyframe]) -> SceneObject {
            // Sized for where it spends its time (its last keyframe), as the camera sees it there.
            let h = crowdPerspective.personHeight(atY: path.last!.y)
            return SceneObject(id: id, kind: .person, width: 0.4 * h * aspect, height: h,
                               intensity: random.unit() < 0.6 ? Int(random.uniform(15, 60)) : Int(random.uniform(190, 240)), path: path)
        }
        // People who walk in from a side and stand: singles, then tight groups that overlap.
        let arrivals = Int(Double(frameCount) * 0.6)
        for index in 0..<14 {
            let y = random.uniform(0.4, 0.95)
            let x = random.uniform(0.12, 0.88)
            let start = Int(random.uniform(0, Double(arrivals)))
            let walk = Int(random.uniform(0.08, 0.15) * Double(frameCount))
            let fromLeft = random.unit() < 0.5
            var path: [SceneObject.Keyframe] = [.init(frame: start, x: fromLeft ? -0.03 : 1.03, y: y), .init(frame: start + walk, x: x, y: y)]
            // A third leave again before the end.
            if index % 3 == 0 {
                let leave = min(frameCount - 1, start + walk + Int(random.uniform(0.15, 0.3) * Double(frameCount)))
                path.append(.init(frame: leave, x: x, y: y))
                path.append(.init(frame: min(frameCount + walk, leave + walk), x: fromLeft ? 1.03 : -0.03, y: y))
            } else {
                path.append(.init(frame: frameCount + 10, x: x, y: y))
            }
            objects.append(person(id: 1 + index, path: path))
        }
        for group in 0..<3 {
            let y = random.uniform(0.45, 0.9)
            let x = random.uniform(0.25, 0.75)
            let start = Int(random.uniform(0.1, 0.5) * Double(frameCount))
            let walk = Int(0.12 * Double(frameCount))
            let h = crowdPerspective.personHeight(atY: y)
            for member in 0..<5 {
                // Half a body apart across, a little apart in depth: they hide one another.
                let dx = (Double(member) - 2) * 0.2 * h * aspect
                let dy = Double(member % 2) * 0.04 * h
                objects.append(person(id: 100 + group * 10 + member, path: [
                    .init(frame: start, x: -0.05 + dx, y: y + dy), .init(frame: start + walk, x: x + dx, y: y + dy),
                    .init(frame: frameCount + 10, x: x + dx, y: y + dy),
                ]))
            }
        }
        // Passers-by crossing the whole square.
        for index in 0..<8 {
            let y = random.uniform(0.4, 0.95)
            let start = Int(random.uniform(0, 0.8) * Double(frameCount))
            let duration = Int(random.uniform(0.2, 0.35) * Double(frameCount))
            let fromLeft = index % 2 == 0
            objects.append(person(id: 200 + index, path: [.init(frame: start, x: fromLeft ? -0.03 : 1.03, y: y),
                                                          .init(frame: start + duration, x: fromLeft ? 1.03 : -0.03, y: y)]))
        }
        return objects
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
