/// A search of the index: every filter optional, newest first, a page at a time.
public struct EventQuery: Sendable, Equatable {
    public var camera: String?
    public var type: String?
    public var zone: String?
    /// Milliseconds since the epoch, inclusive.
    public var sinceMs: Int64?
    /// Milliseconds since the epoch, exclusive.
    public var untilMs: Int64?
    /// Continue after this event of the previous page (its time and offset).
    public var before: EventCursor?
    public var limit = 50
    /// Acknowledgements are audit records, not alarms: left out unless asked for.
    public var includeAcknowledgements = false
    /// Only events no operator has acknowledged yet.
    public var unacknowledgedOnly = false
    public static let largestPage = 1000

    public init() {}
}

/// Where a page ended, as `TIME_MS-OFFSET`: keyset pagination stays fast on deep pages.
public struct EventCursor: Sendable, Equatable, CustomStringConvertible {
    public var timeMs: Int64
    public var offset: Int64
    public init(timeMs: Int64, offset: Int64) { self.timeMs = timeMs; self.offset = offset }
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, let time = Int64(parts[0]), let offset = Int64(parts[1]), time >= 0, offset >= 0 else { return nil }
        self.init(timeMs: time, offset: offset)
    }
    public var description: String { "\(timeMs)-\(offset)" }
}
