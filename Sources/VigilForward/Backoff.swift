/// Waits between attempts to reach the database: doubling from `first` up to `longest`,
/// each wait drawn between half and all of it, so hosts that lost the database together
/// do not all come back in the same instant.
public struct Backoff: Sendable {
    public var first: Double
    public var longest: Double
    private var current: Double

    public init(first: Double = 0.5, longest: Double = 30) {
        self.first = first
        self.longest = longest
        current = first
    }

    public mutating func next() -> Double {
        let wait = Double.random(in: (current / 2)...current)
        current = min(current * 2, longest)
        return wait
    }

    public mutating func reset() { current = first }
}
