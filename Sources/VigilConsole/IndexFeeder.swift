import Foundation
import Logging
import Synchronization
import VigilEvents

/// The console's consumer of the queue: reads every record from where the index left
/// off, indexes it, hands it to the live streams, and commits the `console` consumer
/// group (so `vigil queue stat` shows how far behind the console is). With the index
/// file deleted it starts again from the queue's first record.
public final class IndexFeeder: Sendable {
    public let queueDirectory: String
    public let index: EventIndex
    public let broadcaster: EventBroadcaster
    public let logger: Logger
    public static let group = "console"
    public let pollInterval: Duration = .milliseconds(50)
    public let pingInterval: Duration = .seconds(15)
    private let lastSeen = Mutex<UInt64?>(nil)

    public init(queueDirectory: String, index: EventIndex, broadcaster: EventBroadcaster, logger: Logger) {
        self.queueDirectory = queueDirectory
        self.index = index
        self.broadcaster = broadcaster
        self.logger = logger
    }

    /// Runs until the task is cancelled; queue or index faults are logged and retried.
    public func run() async {
        let clock = ContinuousClock()
        var lastPing = clock.now
        var reader: QueueReader?
        var reported: String?
        while !Task.isCancelled {
            do {
                if reader == nil {
                    let opened = try QueueReader(directory: queueDirectory, from: .offset(try index.nextOffset()))
                    opened.log = { [logger] in logger.warning("\($0)") }
                    reader = opened
                }
                let added = try step(reader!)
                reported = nil
                if clock.now - lastPing >= pingInterval {
                    lastPing = clock.now
                    broadcaster.publish(.ping)
                }
                if added == 0 { try? await Task.sleep(for: pollInterval) }
            } catch {
                let text = "\(error)"
                if text != reported { logger.warning("cannot index the queue: \(text); retrying"); reported = text }
                reader = nil
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Indexes what is there now, up to a batch; returns how many records were read.
    @discardableResult
    public func step(_ reader: QueueReader, batch: Int = 2000) throws -> Int {
        var records: [(offset: UInt64, event: Event)] = []
        while records.count < batch, let record = try reader.next() {
            // A record the queue accepted but this Vigil cannot read is skipped, not fatal.
            guard let event = try? record.event() else { continue }
            records.append((record.offset, event))
        }
        // Nothing new (the usual case, 20 times a second): no database access at all.
        if records.isEmpty && reader.nextOffset == lastSeen.withLock({ $0 }) { return 0 }
        let indexed = try index.nextOffset()
        lastSeen.withLock { $0 = reader.nextOffset }
        guard !records.isEmpty || reader.nextOffset > indexed else { return 0 }
        try index.add(records, next: reader.nextOffset)
        if broadcaster.subscriberCount > 0 {
            for (offset, original) in records {
                var event = original
                event.offset = offset
                let cursor = EventCursor(timeMs: EventIndex.milliseconds(event.time), offset: Int64(offset))
                broadcaster.publish(.item(EventIndex.Item(event: event, acknowledgement: nil, cursor: cursor.description)))
            }
        }
        try? ConsumerGroup(queueDirectory: queueDirectory, name: Self.group).commit(reader.nextOffset)
        return records.count
    }
}
