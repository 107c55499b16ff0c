/// An in-process consumer: reads from its group's committed position (or `start`
/// the first time) and commits when told that records were processed.
///
///     let consumer = try QueueConsumer(directory: "/var/lib/vigil/queue", group: "ioc-bridge")
///     while running {
///         let records = try consumer.poll(maximum: 500)
///         for record in records { try forward(record.event()) }
///         try consumer.commit()          // only after forwarding: at-least-once
///         if records.isEmpty { sleep(…) }
///     }
public final class QueueConsumer {
    public let group: ConsumerGroup
    private let reader: QueueReader

    public init(directory: String, group name: String, start: QueueStart = .earliest) throws {
        group = try ConsumerGroup(queueDirectory: directory, name: name)
        reader = try QueueReader(directory: directory, from: try group.committed().map { .offset($0) } ?? start)
    }

    /// Up to `maximum` records that are there now; empty when caught up.
    public func poll(maximum: Int = 1000) throws -> [StoredRecord] {
        var records: [StoredRecord] = []
        while records.count < maximum, let record = try reader.next() { records.append(record) }
        return records
    }

    /// Marks everything returned by `poll` so far as processed.
    public func commit() throws { try group.commit(reader.nextOffset) }

    /// Records skipped because they were damaged.
    public var damagedRecords: Int { reader.damagedRecords }
}
