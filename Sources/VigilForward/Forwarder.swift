import Foundation
import Logging
import Metrics
import PostgresNIO
import Synchronization
import VigilConfig
import VigilEvents

/// What one forwarder runs: a queue, a store, and who it speaks for.
public struct ForwarderOptions: Sendable {
    public var queueDirectory: String
    public var endpoint: PostgresEndpoint
    public var site: String
    public var batch = ForwardSettings().batch
    public var method = ForwardSettings().method
    /// The consumer group whose offset says what is stored; retention waits for it.
    public var group = "forward"
    /// Where `forward.status` is written and the workers' state files are read (nil: neither).
    public var stateDirectory: String?
    /// This host's cameras, sent to `vigil_cameras`.
    public var cameras: [String] = []
    public var cameraStateSeconds = ForwardSettings().cameraStateSeconds
    /// Stop once everything in the queue is stored (scripts and tests).
    public var untilCaughtUp = false
    /// How often an idle forwarder looks for new records.
    public var idlePoll: Duration = .milliseconds(50)
    /// A database operation without an answer this long is given up and its connection closed.
    public var answerTimeout: Duration = .seconds(15)

    public init(queueDirectory: String, endpoint: PostgresEndpoint, site: String) {
        self.queueDirectory = queueDirectory
        self.endpoint = endpoint
        self.site = site
    }

    var writer: any EventBatchWriter {
        switch method {
        case .copy: return CopyBatchWriter()
        case .unnest: return UnnestBatchWriter()
        }
    }
}

/// Copies every event of the local queue into `vigil_events`, at least once from the queue's
/// side and exactly once in the table: a batch is inserted with ON CONFLICT DO NOTHING on
/// (site, queue, offset) and the group commits only after the transaction has. Database down
/// or slow: it backs off with jitter and reads nothing new meanwhile; the queue keeps the
/// events (retention waits for this group).
public final class Forwarder: Sendable {
    public let options: ForwarderOptions
    let logger: Logger
    private let stopping = Mutex(false)
    private let status: Mutex<ForwarderStatus>
    private let connectionIDs = Mutex(0)

    private let lagGauge = Gauge(label: "vigil_forward_lag")
    private let connectedGauge = Gauge(label: "vigil_forward_connected")
    private let storedCounter = Counter(label: "vigil_forward_events_total")
    private let duplicateCounter = Counter(label: "vigil_forward_duplicates_total")
    private let errorCounter = Counter(label: "vigil_forward_errors_total")
    private let batchTimer = Metrics.Timer(label: "vigil_forward_batch_seconds")

    public init(options: ForwarderOptions, logger: Logger) {
        self.options = options
        self.logger = logger
        status = Mutex(ForwarderStatus(site: options.site, queue: "", pid: getpid(), database: options.endpoint.description, method: options.method.rawValue))
    }

    public func stop() { stopping.withLock { $0 = true } }
    var isStopping: Bool { stopping.withLock { $0 } || Task.isCancelled }
    public var currentStatus: ForwarderStatus { status.withLock { $0 } }

    /// Runs until `stop()` (or, with `untilCaughtUp`, until the table holds the whole queue).
    /// Throws only for what retrying cannot mend: a queue folder it cannot use, a schema newer
    /// than this Vigil.
    public func run() async throws {
        let group = try ConsumerGroup(queueDirectory: options.queueDirectory, name: options.group)
        try group.hold()
        let queueID = try QueueIdentity.of(queueDirectory: options.queueDirectory)
        status.withLock { $0.queue = queueID.uuidString.lowercased() }
        let reader = try QueueReader(directory: options.queueDirectory, from: try group.committed().map { .offset($0) } ?? .earliest)
        reader.log = { [logger] in logger.warning("\($0)") }
        logger.info("forwarding", metadata: ["queue": "\(options.queueDirectory)", "database": "\(options.endpoint)",
                                              "site": "\(options.site)", "from_offset": "\(reader.nextOffset)", "method": "\(options.method.rawValue)"])
        let start = reader.nextOffset
        status.withLock { $0.committed = start }
        let feed = BatchFeed(reader: reader, batch: options.batch, logger: logger)
        var pending: EventBatch?
        var backoff = Backoff()
        var migrated = false
        var knownDays: Set<String> = []
        var lastReported: String?
        var lastFile = ContinuousClock.now - .seconds(10)
        var lastCameras = ContinuousClock.now - .seconds(3600)
        let writer = options.writer

        while !isStopping {
            var connection: PostgresConnection?
            do {
                let configuration = try options.endpoint.configuration()
                let id = connectionIDs.withLock { $0 += 1; return $0 }
                let opened = try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger)
                connection = opened
                if !migrated {
                    try await answer(opened, "migrating the schema") { [logger] in try await EventStoreSchema.migrate(opened, logger: logger) }
                    migrated = true
                }
                try await answer(opened, "preparing the connection") { [logger] in try await writer.prepare(opened, logger: logger) }
                status.withLock { $0.connected = true; $0.lastError = nil }
                connectedGauge.record(1)
                if lastReported != nil { logger.notice("database reachable again", metadata: ["database": "\(options.endpoint)"]) }
                lastReported = nil
                backoff.reset()

                while !isStopping {
                    if pending == nil { pending = try feed.next() }
                    let batch = pending!
                    if batch.isEmpty {
                        if batch.nextOffset > status.withLock({ $0.committed }) { try commit(group, batch.nextOffset) }
                        pending = nil
                        // The reader found nothing more: everything up to its position is stored.
                        let caughtUp = caughtUp(at: batch.nextOffset)
                        if ContinuousClock.now - lastCameras >= .seconds(options.cameraStateSeconds) {
                            lastCameras = ContinuousClock.now
                            try await sendCameras(on: opened)
                        }
                        if ContinuousClock.now - lastFile >= .seconds(1) { lastFile = ContinuousClock.now; writeStatus() }
                        if options.untilCaughtUp && caughtUp { break }
                        try? await Task.sleep(for: options.idlePoll)
                        continue
                    }
                    for day in batch.days.subtracting(knownDays).sorted() {
                        try await answer(opened, "creating the partition for \(day)") { [logger] in
                            try await opened.query("SELECT vigil_ensure_partition(\(day)::date)", logger: logger)
                        }
                        knownDays.insert(day)
                    }
                    let started = ContinuousClock.now
                    // The next batch is read from the queue while the database stores this one.
                    let prefetch = Task { try feed.next() }
                    let inserted: Int
                    do {
                        inserted = try await answer(opened, "storing \(batch.count) events") {
                            try await self.store(batch, queueID: queueID, writer: writer, on: opened)
                        }
                    } catch {
                        // Not stored: the batch in hand is sent again; what was read ahead waits after it.
                        feed.pushBack(try? await prefetch.value)
                        throw error
                    }
                    // Only now, with the rows committed: a crash before this line sends the batch again,
                    // and the conflict key turns the repeat into nothing.
                    try commit(group, batch.nextOffset)
                    batchTimer.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
                    storedCounter.increment(by: Int64(inserted))
                    duplicateCounter.increment(by: Int64(batch.count - inserted))
                    status.withLock {
                        $0.eventsStored += inserted
                        $0.duplicatesSkipped += batch.count - inserted
                        $0.batches += 1
                    }
                    pending = try await prefetch.value
                    if ContinuousClock.now - lastFile >= .seconds(1) {
                        lastFile = ContinuousClock.now
                        _ = try updateLag()
                        writeStatus()
                    }
                    if ContinuousClock.now - lastCameras >= .seconds(options.cameraStateSeconds) {
                        lastCameras = ContinuousClock.now
                        try await sendCameras(on: opened)
                    }
                }
                Self.close(opened)
                if options.untilCaughtUp && !isStopping { break }
            } catch {
                if let connection { Self.close(connection) }
                if let fatal = error as? SchemaTooNewError {
                    logger.critical("\(fatal)")
                    throw fatal
                }
                let text = ForwardError.describe(error)
                errorCounter.increment()
                connectedGauge.record(0)
                status.withLock { $0.connected = false; $0.lastError = text }
                _ = try? updateLag()
                writeStatus()
                let wait = backoff.next()
                if text != lastReported {
                    logger.error("cannot store events: \(text); retrying, the queue keeps them meanwhile", metadata: ["database": "\(options.endpoint)"])
                    lastReported = text
                }
                await pause(seconds: wait)
            }
        }
        _ = try? updateLag()
        writeStatus()
    }

    private struct Notice: Encodable {
        var site: String
        var queue: String
        var first: Int64
        var last: Int64
        var stored: Int
    }

    /// One transaction: the rows, the position, and a NOTIFY delivered when it commits.
    func store(_ batch: EventBatch, queueID: UUID, writer: any EventBatchWriter, on connection: PostgresConnection) async throws -> Int {
        let site = options.site, logger = logger
        let queue = queueID.uuidString.lowercased()
        return try await connection.vigilTransaction(logger: logger) { connection in
            let inserted = try await writer.insert(batch, site: site, queue: queueID, on: connection, logger: logger)
            let next = Int64(batch.nextOffset)
            try await connection.query("""
                INSERT INTO vigil_forward_positions (site, queue_id, next_offset, updated_at) VALUES (\(site), \(queue)::uuid, \(next), now())
                ON CONFLICT (site, queue_id) DO UPDATE
                SET next_offset = GREATEST(vigil_forward_positions.next_offset, EXCLUDED.next_offset), updated_at = now()
                """, logger: logger)
            let notice = Notice(site: site, queue: queue, first: batch.offsets.first ?? 0, last: batch.offsets.last ?? 0, stored: inserted)
            let payload = String(decoding: try JSONEncoder().encode(notice), as: UTF8.self)
            try await connection.query("SELECT pg_notify('vigil_events', \(payload))", logger: logger)
            return inserted
        }
    }

    private func commit(_ group: ConsumerGroup, _ next: UInt64) throws {
        try group.commit(next)
        status.withLock { $0.committed = next }
    }

    /// The reader is at the queue's end and everything before it is committed: lag 0.
    private func caughtUp(at end: UInt64) -> Bool {
        let lag = status.withLock { state -> UInt64 in
            state.queueEnd = end
            state.lag = state.queueEnd > state.committed ? state.queueEnd - state.committed : 0
            return state.lag
        }
        lagGauge.record(Int64(lag))
        return lag == 0
    }

    /// Updates the lag from the queue's end; true when everything in the queue is stored.
    @discardableResult
    private func updateLag() throws -> Bool {
        let end = try QueueInspector(directory: options.queueDirectory).endOffset()
        let lag = status.withLock { state -> UInt64 in
            state.queueEnd = end
            state.lag = end > state.committed ? end - state.committed : 0
            return state.lag
        }
        lagGauge.record(Int64(lag))
        return lag == 0
    }

    private func sendCameras(on connection: PostgresConnection) async throws {
        guard let directory = options.stateDirectory, !options.cameras.isEmpty else { return }
        let upload = CameraStateUpload(site: options.site, cameras: options.cameras, stateDirectory: directory)
        try await answer(connection, "sending the cameras' state") { [logger] in try await upload.send(on: connection, logger: logger) }
    }

    /// One database operation, given up on (and its connection closed) when the server has
    /// not answered within `answerTimeout`, or a few seconds after `stop()`. postgres-nio
    /// 1.33 never resumed a query sent just as the server closed the connection (seen in
    /// database restarts); the abandoned operation is left to end with its closed connection,
    /// and the batch is sent again on a new one (the conflict key makes that safe).
    @discardableResult
    private func answer<T: Sendable>(_ connection: PostgresConnection, _ what: String,
                                     _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        // A query written to a connection the server has closed is dropped without an answer
        // (postgres-nio 1.33 writes it with no promise); the deadline below covers the rest.
        if connection.isClosed { throw ForwardError("the database closed the connection") }
        let pending = PendingAnswer<T>()
        let limit = options.answerTimeout
        return try await withCheckedThrowingContinuation { continuation in
            pending.slot.withLock { $0 = continuation }
            let work = Task {
                do {
                    let value = try await operation()
                    pending.slot.withLock { $0.take() }?.resume(returning: value)
                } catch {
                    pending.slot.withLock { $0.take() }?.resume(throwing: error)
                }
            }
            Task {
                let clock = ContinuousClock()
                let deadline = clock.now + limit
                var stopSeen: ContinuousClock.Instant?
                while clock.now < deadline, pending.slot.withLock({ $0 != nil }) {
                    if stopSeen == nil && self.stopping.withLock({ $0 }) { stopSeen = clock.now }
                    if let stopSeen, clock.now - stopSeen > .seconds(5) { break }
                    try? await Task.sleep(for: .milliseconds(100))
                }
                guard let waiting = pending.slot.withLock({ $0.take() }) else { return }
                Self.close(connection)
                work.cancel()
                waiting.resume(throwing: ForwardError("no answer from the database within \(limit) while \(what); reconnecting"))
            }
        }
    }

    private func writeStatus() {
        guard let directory = options.stateDirectory else { return }
        var snapshot = status.withLock { $0 }
        snapshot.updatedAt = UTCTime.now()
        try? snapshot.write(directory: directory)
    }

    /// Closes without waiting for the server to agree (it may be gone).
    static func close(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        // Held until closed: postgres-nio asserts that a connection is closed when it goes.
        closing.whenComplete { _ in withExtendedLifetime(connection) {} }
    }

    /// Sleeps in short steps so `stop()` is honoured within a tenth of a second.
    private func pause(seconds: Double) async {
        let end = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !isStopping && ContinuousClock.now < end {
            try? await Task.sleep(for: min(.milliseconds(100), end - ContinuousClock.now))
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// The caller waiting for one database answer: resumed once, by the answer or by the deadline.
final class PendingAnswer<T: Sendable>: Sendable {
    let slot = Mutex<CheckedContinuation<T, any Error>?>(nil)
}
