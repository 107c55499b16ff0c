/// Says when a condition has held without a break for a given time: the building block
/// of every rule's hysteresis (motion, and later congestion, loitering, tamper…).
public struct Debounce: Sendable {
    private var since: Double?

    public init() {}

    /// Feeds the condition at time `pts`; true once it has held for `seconds`.
    public mutating func held(_ condition: Bool, at pts: Double, for seconds: Double) -> Bool {
        guard condition else { since = nil; return false }
        let start = since ?? pts
        since = start
        return pts - start >= seconds
    }

    public mutating func reset() { since = nil }
}
