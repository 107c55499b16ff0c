import Logging
import Synchronization
import VigilEvents

/// Batches from the queue, read on whichever task asks: the forwarder reads the next batch
/// while the database stores the current one. The reader is used by one task at a time
/// (the lock says so); a batch read ahead that could not be sent yet is handed back and
/// comes out first.
final class BatchFeed: Sendable {
    private struct State {
        var reader: QueueReader
        var returned: EventBatch?
    }
    private let state: Mutex<State>
    private let batch: Int
    private let logger: Logger

    init(reader: sending QueueReader, batch: Int, logger: Logger) {
        state = Mutex(State(reader: reader, returned: nil))
        self.batch = batch
        self.logger = logger
    }

    /// Up to a batch of what is in the queue now (empty when there is nothing new).
    func next() throws -> EventBatch {
        try state.withLock { state in
            if let returned = state.returned {
                state.returned = nil
                return returned
            }
            var next = EventBatch(nextOffset: state.reader.nextOffset)
            var unreadable = 0
            while next.count < batch, let record = try state.reader.next() {
                if !next.add(record) { unreadable += 1 }
            }
            if unreadable > 0 { logger.warning("\(unreadable) record(s) without a readable time were not stored") }
            next.nextOffset = state.reader.nextOffset
            return next
        }
    }

    /// A batch taken from `next()` and not stored: it comes out of `next()` again.
    func pushBack(_ unsent: EventBatch?) {
        guard let unsent else { return }
        state.withLock { $0.returned = unsent }
    }
}
