import VigilVision

/// Turns the tamper detector's per-frame condition into `tamper` start/end: a condition
/// must persist `persistSeconds` before it is raised (a bus passing close to the lens is
/// not a cover), and the alarm ends only after the view has been normal that long.
public struct TamperRule: Sendable {
    public struct Transition: Sendable, Equatable {
        public var started: Bool
        public var reason: TamperDetector.Condition
        public var frame: Int
        public var pts: Double
    }

    public var persistSeconds: Double
    public private(set) var active: TamperDetector.Condition?
    private var holding = Debounce()
    private var clearing = Debounce()
    private var candidate: TamperDetector.Condition?

    public init(persistSeconds: Double = 3) { self.persistSeconds = persistSeconds }

    public mutating func observe(_ condition: TamperDetector.Condition?, frame: Int, pts: Double) -> Transition? {
        if let reason = active {
            guard clearing.held(condition == nil, at: pts, for: persistSeconds) else { return nil }
            active = nil
            holding.reset()
            return Transition(started: false, reason: reason, frame: frame, pts: pts)
        }
        // Any tamper condition counts towards persistence; the report names the latest.
        if condition != nil { candidate = condition }
        guard holding.held(condition != nil, at: pts, for: persistSeconds), let reason = candidate else { return nil }
        active = reason
        clearing.reset()
        return Transition(started: true, reason: reason, frame: frame, pts: pts)
    }

    public mutating func finish(frame: Int, pts: Double) -> Transition? {
        guard let reason = active else { return nil }
        active = nil
        return Transition(started: false, reason: reason, frame: frame, pts: pts)
    }
}
