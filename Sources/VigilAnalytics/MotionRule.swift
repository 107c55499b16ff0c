import VigilVision

/// A change of motion state in one zone (or the whole frame when `zone` is nil).
public struct MotionTransition: Sendable, Equatable {
    public enum State: String, Sendable { case start, end }
    public var zone: String?
    public var state: State
    public var frame: Int
    public var pts: Double
    /// Peak fraction of the zone in motion during the event (at `end`), or the fraction that started it.
    public var fraction: Double
}

/// Turns per-frame motion fractions into start/end events with hysteresis, so a
/// flickering fraction never becomes an event storm: motion starts after the fraction
/// has stayed above `startFraction` for `startSeconds`, and ends only after it has stayed
/// below `endFraction` for `endSeconds`.
public struct MotionRule: Sendable {
    public struct Settings: Sendable, Equatable {
        public var startFraction = 0.005
        public var endFraction = 0.002
        public var startSeconds = 0.2
        public var endSeconds = 2.0
        public init() {}
    }

    public let zone: String?
    public let settings: Settings
    public private(set) var active = false
    private var rising = Debounce()
    private var falling = Debounce()
    private var peak = 0.0

    public init(zone: String?, settings: Settings = Settings()) {
        self.zone = zone
        self.settings = settings
    }

    /// Feeds one analysed frame; returns a transition when the state changes.
    public mutating func observe(fraction: Double, frame: Int, pts: Double) -> MotionTransition? {
        if active {
            peak = max(peak, fraction)
            guard falling.held(fraction < settings.endFraction, at: pts, for: settings.endSeconds) else { return nil }
            active = false
            falling.reset()
            return MotionTransition(zone: zone, state: .end, frame: frame, pts: pts, fraction: peak)
        }
        guard rising.held(fraction >= settings.startFraction, at: pts, for: settings.startSeconds) else { return nil }
        active = true
        peak = fraction
        rising.reset()
        return MotionTransition(zone: zone, state: .start, frame: frame, pts: pts, fraction: fraction)
    }

    /// Closes an open event at the end of a clip (or before a reconnect).
    public mutating func finish(frame: Int, pts: Double) -> MotionTransition? {
        guard active else { return nil }
        active = false
        return MotionTransition(zone: zone, state: .end, frame: frame, pts: pts, fraction: peak)
    }
}
