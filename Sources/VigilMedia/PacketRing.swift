import Synchronization

/// One compressed packet held by a `PacketRing`: where its bytes are and its timing, in the
/// source stream's own time base (copied into a clip unchanged) and in seconds on the
/// frames' timeline (compared with events).
public struct RingPacket: Sendable, Equatable {
    /// Increases by one for every packet the ring takes, across resets.
    public var sequence: UInt64
    public var pts: Int64
    public var dts: Int64
    public var duration: Int64
    public var isKeyframe: Bool
    /// Seconds on the same timeline as `DecodedFrame.pts`.
    public var time: Double
    var offset: Int
    public var size: Int
}

/// Packets copied out of the ring for writing, in storage the caller reuses.
public struct PacketBatch: Sendable {
    public var packets: [RingPacket] = []
    /// The packets' bytes one after another; `packets[i]` starts where `packets[i-1]` ends.
    public var bytes: [UInt8] = []
    /// The ring's generation these packets belong to (it changes when the source reconnects).
    public var generation = 0
    public var parameters: StreamParameters?

    public init() {}

    mutating func clear() {
        packets.removeAll(keepingCapacity: true)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with each packet and its bytes, in order.
    public func forEach(_ body: (RingPacket, UnsafeRawBufferPointer) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { all in
            var start = 0
            for packet in packets {
                try body(packet, UnsafeRawBufferPointer(rebasing: all[start..<start + packet.size]))
                start += packet.size
            }
        }
    }
}

/// The pre-roll: the compressed packets of the last `seconds` of one video stream, starting
/// at a keyframe, so that a clip can begin before the event that asked for it. Bounded in
/// time and in bytes; the bytes live in one buffer allocated once and reused in a circle.
/// The buffer's pages are touched only as far as the packets need: writing starts over at
/// its front as soon as the front can hold what the ring holds, so a 64 MiB bound costs
/// about twice the pre-roll's bytes of memory, not 64 MiB.
///
/// The ingest thread appends; another thread (the recorder) copies packets out. Both go
/// through one lock, held only for a copy.
public final class PacketRing: Sendable {
    public let seconds: Double
    public let capacityBytes: Int
    public let capacityPackets: Int

    struct State {
        let storage: UnsafeMutableRawPointer
        let capacityBytes: Int
        var slots: [RingPacket]
        var head = 0
        var count = 0
        var nextSequence: UInt64 = 0
        var generation = 0
        var parameters: StreamParameters?
        /// After a packet had to be dropped (too big, or evicted for bytes), the next ones are
        /// useless until a keyframe.
        var waitingForKeyframe = true
        var bytesHeld = 0
        var droppedPackets = 0
    }
    private let state: Mutex<State>

    /// `seconds` of packets (the pre-roll plus what decoding and analysis lag behind),
    /// at most `capacityBytes` of them and `capacityPackets` in number.
    public init(seconds: Double, capacityBytes: Int, capacityPackets: Int = 8192) {
        precondition(seconds > 0 && capacityBytes > 0 && capacityPackets > 1)
        self.seconds = seconds
        self.capacityBytes = capacityBytes
        self.capacityPackets = capacityPackets
        let empty = RingPacket(sequence: 0, pts: 0, dts: 0, duration: 0, isKeyframe: false, time: 0, offset: 0, size: 0)
        state = Mutex(State(storage: UnsafeMutableRawPointer.allocate(byteCount: capacityBytes, alignment: 64), capacityBytes: capacityBytes,
                            slots: [RingPacket](repeating: empty, count: capacityPackets)))
    }

    deinit {
        state.withLock { $0.storage.deallocate() }
    }

    /// Forgets every packet: the stream they belong to has ended. Packets appended from now
    /// on belong to a stream with these parameters.
    public func reset(parameters: StreamParameters?) {
        state.withLock { state in
            state.head = 0
            state.count = 0
            state.bytesHeld = 0
            state.generation += 1
            state.parameters = parameters
            state.waitingForKeyframe = true
        }
    }

    /// Bytes and packets held now, and packets dropped because they did not fit.
    public var usage: (bytes: Int, packets: Int, dropped: Int, generation: Int) {
        state.withLock { ($0.bytesHeld, $0.count, $0.droppedPackets, $0.generation) }
    }

    /// Copies one packet in, dropping the oldest to stay within bounds.
    public func append(_ data: UnsafeRawBufferPointer, pts: Int64, dts: Int64, duration: Int64, isKeyframe: Bool, time: Double) {
        let size = data.count
        // An empty packet (AVI's dropped-frame marker) carries nothing to keep.
        guard size > 0 else { return }
        // The caller's bytes, read inside the lock while this call lasts (an address is
        // Sendable; the buffer pointer is not).
        let address = UInt(bitPattern: data.baseAddress)
        state.withLock { state in
            let sequence = state.nextSequence
            state.nextSequence += 1
            if state.waitingForKeyframe && !isKeyframe { return }
            guard size <= capacityBytes else {
                // A packet larger than the whole ring: what follows it cannot be decoded without it.
                Self.removeAll(&state)
                state.waitingForKeyframe = true
                state.droppedPackets += 1
                return
            }
            state.waitingForKeyframe = false
            if state.count == capacityPackets { Self.dropOldest(&state) }
            let offset = Self.place(size, &state)
            state.storage.advanced(by: offset).copyMemory(from: UnsafeRawPointer(bitPattern: address)!, byteCount: size)
            let index = (state.head + state.count) % capacityPackets
            state.slots[index] = RingPacket(sequence: sequence, pts: pts, dts: dts, duration: duration, isKeyframe: isKeyframe,
                                            time: time, offset: offset, size: size)
            state.count += 1
            state.bytesHeld += size
            Self.startAtKeyframe(&state)
            Self.trim(&state, newest: time, seconds: seconds)
        }
    }

    /// Copies into `batch` the packets after `sequence` (nil: from the first packet, a
    /// keyframe, at or before `from` seconds), at most `limitBytes` of them. Returns false
    /// when packets after `sequence` were already dropped (the reader fell behind the ring).
    @discardableResult
    public func copy(after sequence: UInt64?, from time: Double = -.infinity, limitBytes: Int = .max, into batch: inout PacketBatch) -> Bool {
        batch.clear()
        return state.withLock { state in
            batch.generation = state.generation
            batch.parameters = state.parameters
            guard state.count > 0 else { return true }
            var start = 0
            var complete = true
            if let sequence {
                let oldest = state.slots[state.head].sequence
                if oldest > sequence &+ 1 { complete = false }
                // Sequences are consecutive except where packets were skipped waiting for a keyframe.
                while start < state.count && state.slots[(state.head + start) % capacityPackets].sequence <= sequence { start += 1 }
            } else {
                // The latest keyframe at or before `time`, or the oldest packet when none is.
                var chosen = 0
                for position in 0..<state.count {
                    let packet = state.slots[(state.head + position) % capacityPackets]
                    if packet.isKeyframe && packet.time <= time { chosen = position }
                }
                start = chosen
            }
            var taken = 0
            for position in start..<state.count {
                let packet = state.slots[(state.head + position) % capacityPackets]
                if taken > 0 && taken + packet.size > limitBytes { break }
                batch.bytes.append(contentsOf: UnsafeRawBufferPointer(start: state.storage.advanced(by: packet.offset), count: packet.size))
                batch.packets.append(packet)
                taken += packet.size
            }
            return complete
        }
    }

    /// Where `size` new bytes go, dropping the oldest packets until they fit. Packets lie in
    /// the buffer in the order they came, so the free room is after the newest packet (up to
    /// the oldest, or the buffer's end) and, before the buffer has wrapped, also in front of
    /// the oldest. Writing goes back to the front as soon as the front holds everything held:
    /// only about twice what the ring holds is ever touched.
    private static func place(_ size: Int, _ state: inout State) -> Int {
        let capacity = state.capacityBytes
        while state.count > 0 {
            let newest = state.slots[(state.head + state.count - 1) % state.slots.count]
            let oldest = state.slots[state.head]
            let end = newest.offset + newest.size
            if oldest.offset <= newest.offset {
                if oldest.offset >= state.bytesHeld + size { return 0 }
                if end + size <= capacity { return end }
                if size <= oldest.offset { return 0 }
            } else if end + size <= oldest.offset {
                return end
            }
            dropOldest(&state)
            state.droppedPackets += 1
        }
        return 0
    }

    private static func dropOldest(_ state: inout State) {
        state.bytesHeld -= state.slots[state.head].size
        state.head = (state.head + 1) % state.slots.count
        state.count -= 1
    }

    private static func removeAll(_ state: inout State) {
        state.head = 0
        state.count = 0
        state.bytesHeld = 0
    }

    /// A clip cannot start on a packet that needs an earlier one: drop what precedes the first keyframe.
    private static func startAtKeyframe(_ state: inout State) {
        while state.count > 0 && !state.slots[state.head].isKeyframe { dropOldest(&state) }
        if state.count == 0 { state.waitingForKeyframe = true }
    }

    /// Keeps the latest keyframe at or before `newest - seconds` and everything after it.
    private static func trim(_ state: inout State, newest: Double, seconds: Double) {
        let capacity = state.slots.count
        var keep = 0
        for position in 1..<max(1, state.count) {
            let packet = state.slots[(state.head + position) % capacity]
            if packet.time > newest - seconds { break }
            if packet.isKeyframe { keep = position }
        }
        for _ in 0..<keep { dropOldest(&state) }
    }
}
