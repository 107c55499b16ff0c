import VigilVision

/// Everything that defines a synthetic clip. Rendering the same spec always gives
/// the same pixels and the same ground truth.
public struct SceneSpec: Sendable, Codable, Equatable {
    public var name: String
    public var width: Int
    public var height: Int
    public var framesPerSecond: Int
    public var frameCount: Int
    public var seed: UInt64
    public var objects: [SceneObject]
    /// Standard deviation of per-pixel sensor noise, in grey levels.
    public var noiseSigma: Double
    public var lightChanges: [LightChange]
    /// A region of moving background texture (leaves, water); never foreground.
    public var sway: SwayRegion?
    /// Largest camera displacement in pixels, drawn afresh every frame.
    public var shakePixels: Int
    /// Counting lines whose crossings the ground truth lists.
    public var lines: [SceneLine]

    public init(name: String, width: Int, height: Int, framesPerSecond: Int = 25, frameCount: Int, seed: UInt64,
                objects: [SceneObject] = [], noiseSigma: Double = 2, lightChanges: [LightChange] = [],
                sway: SwayRegion? = nil, shakePixels: Int = 0, lines: [SceneLine] = []) {
        self.name = name; self.width = width; self.height = height
        self.framesPerSecond = framesPerSecond; self.frameCount = frameCount; self.seed = seed
        self.objects = objects; self.noiseSigma = noiseSigma; self.lightChanges = lightChanges
        self.sway = sway; self.shakePixels = shakePixels; self.lines = lines
    }
}

public enum ObjectKind: String, Sendable, Codable, Equatable, CaseIterable {
    case person, vehicle
}

/// One moving object. Its path is a list of keyframes (frame, bottom-centre in
/// normalized coordinates) joined by straight lines; it exists from the first
/// keyframe to the last, so stopping, turning back and leaving are all expressible.
public struct SceneObject: Sendable, Codable, Equatable {
    public var id: Int
    public var kind: ObjectKind
    /// Size as a fraction of frame width and height.
    public var width: Double
    public var height: Double
    /// Base grey level of the object's surface.
    public var intensity: Int
    public var path: [Keyframe]
    /// A soft cast shadow on the ground beside the object: the background under it is
    /// multiplied by this factor (0.6 = 40 % darker). Shadow pixels are not foreground.
    public var shadow: Double?

    public struct Keyframe: Sendable, Codable, Equatable {
        public var frame: Int
        public var x: Double
        public var y: Double
        public init(frame: Int, x: Double, y: Double) { self.frame = frame; self.x = x; self.y = y }
    }

    public init(id: Int, kind: ObjectKind, width: Double, height: Double, intensity: Int, path: [Keyframe], shadow: Double? = nil) {
        precondition(!path.isEmpty, "an object needs at least one keyframe")
        self.id = id; self.kind = kind; self.width = width; self.height = height
        self.intensity = intensity; self.path = path.sorted { $0.frame < $1.frame }
        self.shadow = shadow
    }

    public var firstFrame: Int { path.first!.frame }
    public var lastFrame: Int { path.last!.frame }

    /// Bottom-centre anchor at `frame` in normalized coordinates, nil when absent.
    public func anchor(at frame: Int) -> Point? {
        guard frame >= firstFrame && frame <= lastFrame else { return nil }
        var previous = path[0]
        for keyframe in path {
            if keyframe.frame >= frame {
                if keyframe.frame == previous.frame { return Point(x: keyframe.x, y: keyframe.y) }
                let t = Double(frame - previous.frame) / Double(keyframe.frame - previous.frame)
                return Point(x: previous.x + (keyframe.x - previous.x) * t, y: previous.y + (keyframe.y - previous.y) * t)
            }
            previous = keyframe
        }
        return Point(x: previous.x, y: previous.y)
    }
}

public enum LightChange: Sendable, Codable, Equatable {
    /// Gain moves linearly from `from` to `to` between the two frames (dusk, clouds).
    case ramp(startFrame: Int, endFrame: Int, from: Double, to: Double)
    /// Gain jumps at `frame` (lights switched, IR cut filter).
    case step(frame: Int, gain: Double)
}

public struct SwayRegion: Sendable, Codable, Equatable {
    /// Normalized box of the region.
    public var box: Box
    /// Peak horizontal displacement of the texture in pixels.
    public var amplitude: Double
    /// Frames per sway cycle.
    public var period: Double
    public init(box: Box, amplitude: Double, period: Double) { self.box = box; self.amplitude = amplitude; self.period = period }
}

public struct SceneLine: Sendable, Codable, Equatable {
    public var id: String
    public var segment: LineSegment
    public init(id: String, segment: LineSegment) { self.id = id; self.segment = segment }
}
