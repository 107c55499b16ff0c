import VigilEvents
import VigilMedia
#if canImport(Glibc)
import Glibc
#endif

/// Records event clips from a `PacketRing`: names each event's clip as the event passes
/// (so the event can point at it before the clip is done), copies the packets into the
/// file as they arrive, and reports each finished clip as a `clip_ready` event.
///
/// Runs on the thread that handles events; the ring is filled by the thread that reads
/// the source. Nothing here decodes or encodes video.
public final class ClipRecorder {
    public struct Options: Sendable {
        public var camera: String
        /// Folder the clips' relative paths start from (the queue folder, or `--clips-out`).
        public var folder: String
        /// Put before the day folder in each clip's path ("clips/" under a queue).
        public var prefix: String
        public var settings: ClipPlan.Settings
        /// Clips stop while the disk has less than this free, so that events keep their room.
        /// (The camera's `clips.reserve_mib`.)
        public var reserveBytes = 0

        public init(camera: String, folder: String, prefix: String, settings: ClipPlan.Settings) {
            self.camera = camera
            self.folder = folder
            self.prefix = prefix
            self.settings = settings
        }
    }

    public let options: Options
    public let ring: PacketRing
    /// Where warnings go (a full disk, a write error); once per clip.
    public var log: (String) -> Void = { _ in }
    public private(set) var clipsWritten = 0
    public private(set) var clipsFailed = 0

    private var plan: ClipPlan
    private var writer: ClipFileWriter?
    private var relativePath: String?
    private var generation: Int?
    private var lastSequence: UInt64?
    private var lastTime = -Double.infinity
    private var failure: String?
    private var gap = false
    private var batch = PacketBatch()
    private var sinceSpaceCheck = 0

    public init(options: Options, ring: PacketRing) {
        self.options = options
        self.ring = ring
        plan = ClipPlan(settings: options.settings)
    }

    /// The ring a camera needs for these settings: the pre-roll plus a margin for what
    /// decoding and analysis hold back, within `megabytes`.
    public static func makeRing(pre: Double, megabytes: Double) -> PacketRing {
        PacketRing(seconds: pre + 5, capacityBytes: max(1 << 20, Int(megabytes * 1_048_576)))
    }

    /// After each analysed frame: gives `events` their clip (`timeOffset` = event time minus
    /// the source's packet time), writes what the source sent since, and returns a
    /// `clip_ready` event for each clip that finished.
    public func process(_ events: inout [Event], timeOffset: Double = 0) -> [Event] {
        var ready = drain()
        for index in events.indices {
            guard let pts = events[index].pts else { continue }
            let event = events[index]
            switch plan.admit(event, at: pts - timeOffset, name: { Self.name(of: event, camera: options.camera) }) {
            case .none:
                continue
            case .joins:
                break
            case let .opens(clip, closed):
                if let closed { ready += finish(closed) }
                open(clip, day: String(event.time.prefix(10)))
            }
            if let relativePath, failure == nil {
                events[index].clip = relativePath
                events[index].clipState = .recording
            }
        }
        return ready
    }

    /// Closes the clip being recorded (the source ended or the camera stops).
    public func finish() -> [Event] {
        var ready = drain()
        if let clip = plan.close() { ready += finish(clip) }
        return ready
    }

    // MARK: Writing

    private func open(_ clip: ClipPlan.Clip, day: String) {
        failure = nil
        gap = false
        lastSequence = nil
        lastTime = -.infinity
        let relative = options.prefix + day + "/" + clip.name
        ring.copy(after: nil, from: clip.start, into: &batch)
        generation = batch.generation
        guard let parameters = batch.parameters else {
            relativePath = nil
            fail("the source has no video stream open")
            return
        }
        relativePath = relative + "." + parameters.clipExtension
        if let shortage = spaceShortage() {
            fail(shortage)
            return
        }
        do {
            try Self.makeFolders(options.folder, options.prefix + day)
            writer = try ClipFileWriter(path: options.folder + "/" + relativePath!, parameters: parameters)
        } catch {
            fail("\(error)")
            return
        }
        write(batch)
    }

    /// Copies what arrived since the last call into the open clip; closes it once a packet
    /// falls after its end, or when the source changed under it.
    private func drain() -> [Event] {
        guard plan.current != nil else { return [] }
        let complete = ring.copy(after: lastSequence, into: &batch)
        var ready: [Event] = []
        if batch.generation != generation {
            if let clip = plan.close() { ready += finish(clip) }
            return ready
        }
        if !complete { gap = true }
        var end = batch.packets.count
        for (index, packet) in batch.packets.enumerated() where plan.isComplete(at: packet.time) {
            end = index
            break
        }
        if end < batch.packets.count {
            batch.packets.removeSubrange(end...)
            write(batch)
            if let clip = plan.close() { ready += finish(clip) }
        } else {
            write(batch)
        }
        return ready
    }

    private func write(_ batch: PacketBatch) {
        guard let writer, failure == nil else {
            if let last = batch.packets.last { lastSequence = last.sequence }
            return
        }
        do {
            try batch.forEach { packet, bytes in
                try writer.write(packet, bytes: bytes)
                lastSequence = packet.sequence
                lastTime = packet.time
                sinceSpaceCheck += 1
                if sinceSpaceCheck >= 64 {
                    sinceSpaceCheck = 0
                    if let shortage = spaceShortage() { throw ClipStop(reason: shortage) }
                }
            }
        } catch {
            fail("\(error)")
        }
    }

    private struct ClipStop: Error, CustomStringConvertible {
        var reason: String
        var description: String { reason }
    }

    private func fail(_ reason: String) {
        failure = reason
        writer?.abandon()
        writer = nil
        log("event clip \(relativePath ?? "(unnamed)") stopped: \(reason); events go on without it")
    }

    private func finish(_ clip: ClipPlan.Clip) -> [Event] {
        defer {
            writer = nil
            relativePath = nil
            failure = nil
        }
        guard let relativePath else { return [] }
        var data: [String: JSONValue] = ["events": .array(clip.events.map(JSONValue.string))]
        var state = Event.ClipState.ready
        if let writer, failure == nil {
            do {
                if try writer.finish() {
                    data["seconds"] = .double((writer.duration * 1000).rounded() / 1000)
                    data["bytes"] = .int(Int64(writer.bytesWritten))
                    data["packets"] = .int(Int64(writer.packetsWritten))
                    // The clip ends before the planned end: the source stopped (or the camera did).
                    if lastTime < clip.endsBy(longest: options.settings.longest) - 0.5 { data["truncated"] = .bool(true) }
                    if gap { data["gap"] = .bool(true) }
                    clipsWritten += 1
                } else {
                    state = .failed
                    data["reason"] = .string("no video arrived for the clip")
                }
            } catch {
                state = .failed
                data["reason"] = .string("\(error)")
                log("event clip \(relativePath) could not be finished: \(error)")
            }
        } else {
            state = .failed
            data["reason"] = .string(failure ?? "the clip could not be written")
        }
        if state == .failed { clipsFailed += 1 }
        return [Event(type: .clipReady, camera: options.camera, clip: relativePath, clipState: state, data: data)]
    }

    /// Why no clip may be written now, if the disk is short of room.
    private func spaceShortage() -> String? {
        var status = statvfs()
        guard statvfs(options.folder, &status) == 0 else { return nil }
        let free = Int(status.f_bavail) * Int(status.f_frsize)
        guard free < options.reserveBytes else { return nil }
        return "the disk has \(free >> 20) MiB free, below the \(options.reserveBytes >> 20) MiB kept for events"
    }

    static func makeFolders(_ base: String, _ relative: String) throws {
        var path = base
        for part in relative.split(separator: "/") {
            path += "/" + part
            if mkdir(path, 0o755) != 0 && errno != EEXIST {
                throw MediaError.writeFailed(path: path, reason: String(cString: strerror(errno)))
            }
        }
    }

    /// CAMERA-20261203T231000Z-1a2b3c: the camera, the first event's time, and enough of its
    /// id that two clips of one second do not collide.
    static func name(of event: Event, camera: String) -> String {
        let digits = event.time.prefix(19).filter { $0.isNumber || $0 == "T" }
        return "\(camera)-\(digits)Z-\(event.id.prefix(6))"
    }
}
