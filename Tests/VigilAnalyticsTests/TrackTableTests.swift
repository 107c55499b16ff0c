import Testing
@testable import VigilAnalytics

/// The rules' per-track memory: a table kept sorted by id, checked against a `Dictionary`
/// driven through the same random operations.
@Suite struct TrackTableTests {
    @Test func matchesADictionaryThroughRandomChanges() {
        var table = TrackTable<Int>()
        var reference: [Int: Int] = [:]
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((seed >> 33) % UInt64(bound))
        }
        var inserts = 0, removals = 0, middleInserts = 0
        for step in 0..<4000 {
            // Mostly ids near the top (tracks are born with ever larger ids), some anywhere.
            let id = next(4) == 0 ? next(200) : 150 + next(60)
            switch next(6) {
            case 0:
                if table.contains(id) { removals += 1 }
                table[id] = nil
                reference[id] = nil
            case 1:
                let removed = table.removeValue(forKey: id)
                #expect(removed == reference.removeValue(forKey: id))
            case 2:
                let threshold = next(200)
                table.keep { id, value in id >= threshold || value % 3 != 0 }
                reference = reference.filter { $0.key >= threshold || $0.value % 3 != 0 }
            case 3:
                // Read and write through one search, as the line counter does.
                let doubled = table.update(id) { value -> Int in
                    value = (value ?? 1) * 2
                    return value!
                }
                reference[id] = (reference[id] ?? 1) * 2
                #expect(doubled == reference[id])
            default:
                if !table.contains(id) {
                    inserts += 1
                    if let last = table.keys.last, id < last { middleInserts += 1 }
                }
                table[id] = step
                reference[id] = step
            }
            #expect(table[id] == reference[id])
            #expect(table.count == reference.count)
        }
        #expect(Array(table.keys) == reference.keys.sorted())
        #expect(table.entries.map(\.1) == reference.sorted { $0.key < $1.key }.map(\.value))
        // The walk covered what it means to: entries added at the end and in the middle, and removed.
        #expect(inserts > 500 && middleInserts > 50 && removals > 50)
    }

    @Test func setKeepsIdsInOrder() {
        var set = TrackSet()
        for id in [7, 3, 9, 3, 1] { set.insert(id) }
        set.remove(9)
        #expect(set.keys == [1, 3, 7])
        #expect(set.contains(3) && !set.contains(9) && !set.contains(4))
        set.removeAll()
        #expect(set.isEmpty)
    }
}
