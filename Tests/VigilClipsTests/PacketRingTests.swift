import Testing
import VigilMedia

/// The pre-roll ring on hand-made packets: bounded in time and bytes, always starting at a
/// keyframe, handing packets out once each and in order.
@Suite("Packet ring")
struct PacketRingTests {
    /// 25 packets a second, a keyframe every `gop`, each `size` bytes filled with its number.
    func feed(_ ring: PacketRing, seconds: Double, gop: Int = 50, size: Int = 1000, from first: Int = 0) {
        for index in first..<first + Int(seconds * 25) {
            let bytes = [UInt8](repeating: UInt8(index % 251), count: size)
            bytes.withUnsafeBytes { ring.append($0, pts: Int64(index), dts: Int64(index), duration: 1, isKeyframe: index % gop == 0,
                                                time: Double(index) / 25) }
        }
    }

    @Test("holds the last seconds from the keyframe before them, and each packet's bytes")
    func timeBound() {
        let ring = PacketRing(seconds: 5, capacityBytes: 10 << 20)
        feed(ring, seconds: 20)
        var batch = PacketBatch()
        ring.copy(after: nil, into: &batch)
        // Newest at 19.96 s; 5 s before is 14.96 s; the keyframe at or before it is at 14 s (packet 350).
        #expect(batch.packets.first?.pts == 350)
        #expect(batch.packets.first?.isKeyframe == true)
        #expect(batch.packets.last?.pts == 499)
        #expect(batch.packets.count == 150)
        var ok = true
        batch.forEach { packet, bytes in
            if bytes.count != 1000 || bytes.contains(where: { $0 != UInt8(Int(packet.pts) % 251) }) { ok = false }
        }
        #expect(ok, "a packet's bytes came back changed")
    }

    @Test("a byte bound drops the oldest packets and starts again at a keyframe; memory stays within the bound")
    func byteBound() {
        // 60 kB holds 60 packets of 1000 bytes: less than a 2 s GOP.
        let ring = PacketRing(seconds: 30, capacityBytes: 60_000)
        feed(ring, seconds: 10, gop: 25)
        let usage = ring.usage
        #expect(usage.bytes <= 60_000)
        #expect(usage.dropped > 0)
        var batch = PacketBatch()
        ring.copy(after: nil, into: &batch)
        #expect(batch.packets.first?.isKeyframe == true)
        #expect(batch.packets.last?.pts == 249)
        // Consecutive packets from the keyframe on: nothing in the middle was lost.
        let numbers = batch.packets.map(\.pts)
        #expect(numbers == Array(numbers.first!...249))
    }

    @Test("a reader takes each packet once, and learns when it fell behind")
    func readerFollows() {
        let ring = PacketRing(seconds: 2, capacityBytes: 1 << 20)
        feed(ring, seconds: 4)
        var batch = PacketBatch()
        ring.copy(after: nil, into: &batch)
        let last = batch.packets.last!.sequence
        feed(ring, seconds: 1, from: 100)
        #expect(ring.copy(after: last, into: &batch))
        #expect(batch.packets.map(\.pts) == Array(100..<125).map(Int64.init))
        // Far behind: the packets after `last` are gone.
        feed(ring, seconds: 10, from: 125)
        #expect(!ring.copy(after: last, into: &batch))
    }

    @Test("a reset forgets the packets, changes the generation, and waits for a keyframe")
    func reset() {
        let ring = PacketRing(seconds: 5, capacityBytes: 1 << 20)
        feed(ring, seconds: 3)
        let before = ring.usage.generation
        ring.reset(parameters: nil)
        #expect(ring.usage.packets == 0)
        #expect(ring.usage.generation == before + 1)
        feed(ring, seconds: 1, from: 30)  // 30…54: the first keyframe is 50
        var batch = PacketBatch()
        ring.copy(after: nil, into: &batch)
        #expect(batch.packets.first?.pts == 50)
        #expect(batch.generation == before + 1)
    }

    @Test("packets of any size never overwrite one another as the buffer wraps, and memory stays bounded")
    func wrapsWithoutDamage() {
        // A GOP is at most about 100 kB here: the ring always holds the newest one whole.
        let ring = PacketRing(seconds: 1000, capacityBytes: 200_000)
        var generator = SystemRandomNumberGenerator()
        var batch = PacketBatch()
        for index in 0..<1200 {
            // Mostly small packets and now and then a large one, as a keyframe is.
            let size = index % 25 == 0 ? Int.random(in: 8_000...30_000, using: &generator) : Int.random(in: 50...3_000, using: &generator)
            let bytes = [UInt8](repeating: UInt8(index % 251), count: size)
            bytes.withUnsafeBytes { ring.append($0, pts: Int64(index), dts: Int64(index), duration: 1, isKeyframe: index % 25 == 0,
                                                time: Double(index) / 25) }
            guard index % 10 == 0 else { continue }
            ring.copy(after: nil, into: &batch)
            var damaged = 0
            batch.forEach { packet, bytes in if bytes.contains(where: { $0 != UInt8(Int(packet.pts) % 251) }) { damaged += 1 } }
            #expect(damaged == 0, "packet \(index): \(damaged) damaged")
            #expect(batch.packets.last?.pts == Int64(index) && batch.packets.first?.isKeyframe == true)
            #expect(ring.usage.bytes <= 200_000)
            if damaged > 0 { break }
        }
        // The byte bound did the evicting (about 2.7 MB through 200 kB): each count is an
        // eviction to make room; the packets after an evicted keyframe go with it, uncounted.
        #expect(ring.usage.dropped > 30)
    }

    @Test("an empty packet (AVI's dropped-frame marker) is skipped and costs nothing held")
    func emptyPacket() {
        let ring = PacketRing(seconds: 5, capacityBytes: 1 << 20)
        feed(ring, seconds: 1)
        let none = [UInt8]()
        none.withUnsafeBytes { ring.append($0, pts: 25, dts: 25, duration: 1, isKeyframe: false, time: 1) }
        #expect(ring.usage.packets == 25 && ring.usage.dropped == 0)
    }

    @Test("a packet larger than the ring empties it rather than leaving a stream that cannot be decoded")
    func oversized() {
        let ring = PacketRing(seconds: 5, capacityBytes: 10_000)
        feed(ring, seconds: 1, size: 100)
        let huge = [UInt8](repeating: 1, count: 20_000)
        huge.withUnsafeBytes { ring.append($0, pts: 25, dts: 25, duration: 1, isKeyframe: false, time: 1) }
        #expect(ring.usage.packets == 0)
        feed(ring, seconds: 2, size: 100, from: 26)
        var batch = PacketBatch()
        ring.copy(after: nil, into: &batch)
        #expect(batch.packets.first?.pts == 50)
    }
}
