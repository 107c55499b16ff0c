import VigilVision

/// CLEAR MOT accuracy and IDF1 of tracks against annotated boxes, as py-motmetrics computes
/// them (`bench/mot.py` uses it): per frame, a person still overlapping the track they were
/// last paired with keeps it, and
/// the rest are paired by least total 1 − IoU (Hungarian), pairs below `minimumIoU` never; an
/// identity switch is a person paired with another track id than at their last pairing. IDF1
/// pairs whole identities once, by the most frames overlapping at `minimumIoU` or more.
struct TrackScore {
    /// Frame → (person or track id, box).
    typealias Boxes = [Int: [(id: Int, box: Box)]]

    var mota = 0.0
    var idf1 = 0.0
    var switches = 0
    var misses = 0
    var falsePositives = 0
    var truthBoxes = 0

    init(truth: Boxes, tracks: Boxes, minimumIoU: Double = 0.5) {
        var lastPairing: [Int: Int] = [:]
        var overlapFrames: [Int: [Int: Int]] = [:]
        var trackBoxes = 0
        for frame in truth.keys.sorted() {
            let people = truth[frame] ?? [], found = tracks[frame] ?? []
            truthBoxes += people.count
            trackBoxes += found.count
            var iou = [[Double]](repeating: [Double](repeating: 0, count: found.count), count: people.count)
            for (p, person) in people.enumerated() {
                for (t, track) in found.enumerated() {
                    iou[p][t] = person.box.intersectionOverUnion(track.box)
                    if iou[p][t] >= minimumIoU { overlapFrames[person.id, default: [:]][track.id, default: 0] += 1 }
                }
            }
            // A person's last pairing, where it still holds, is kept.
            var paired: [Int: Int] = [:]
            var takenTracks = Set<Int>()
            for (p, person) in people.enumerated() {
                if let id = lastPairing[person.id], let t = found.firstIndex(where: { $0.id == id }), iou[p][t] >= minimumIoU {
                    paired[p] = t
                    takenTracks.insert(t)
                }
            }
            let freePeople = people.indices.filter { paired[$0] == nil }
            let freeTracks = found.indices.filter { !takenTracks.contains($0) }
            if !freePeople.isEmpty && !freeTracks.isEmpty {
                let cost = freePeople.map { p in freeTracks.map { t in iou[p][t] >= minimumIoU ? 1 - iou[p][t] : Double.infinity } }
                for (row, column) in Self.assign(cost) { paired[freePeople[row]] = freeTracks[column] }
            }
            for (p, t) in paired {
                let person = people[p].id, track = found[t].id
                if let last = lastPairing[person], last != track { switches += 1 }
                lastPairing[person] = track
            }
            misses += people.count - paired.count
            falsePositives += found.count - paired.count
        }
        mota = truthBoxes == 0 ? 0 : 1 - Double(misses + falsePositives + switches) / Double(truthBoxes)
        // IDF1: one track per person and one person per track, for the most frames together.
        let persons = overlapFrames.keys.sorted()
        let trackIDs = Array(Set(overlapFrames.values.flatMap(\.keys))).sorted()
        if !persons.isEmpty && !trackIDs.isEmpty {
            let most = Double(overlapFrames.values.flatMap(\.values).max() ?? 0)
            let cost = persons.map { person in trackIDs.map { most - Double(overlapFrames[person]?[$0] ?? 0) } }
            let together = Self.assign(cost).reduce(0) { $0 + (overlapFrames[persons[$1.row]]?[trackIDs[$1.column]] ?? 0) }
            idf1 = 2 * Double(together) / Double(truthBoxes + trackBoxes)
        }
    }

    /// Least-cost assignment of rows to columns (Hungarian method, O(n³)); infinite costs are
    /// never paired. Returns the pairs made.
    static func assign(_ cost: [[Double]]) -> [(row: Int, column: Int)] {
        let rows = cost.count, columns = cost.first?.count ?? 0
        let n = max(rows, columns)
        guard n > 0 else { return [] }
        let finite = cost.flatMap { $0 }.filter(\.isFinite)
        // Forbidden pairs cost more than any whole assignment of allowed ones.
        let forbidden = (finite.map(abs).max() ?? 0) * Double(n + 1) + 1
        var a = [[Double]](repeating: [Double](repeating: 0, count: n + 1), count: n + 1)
        for i in 0..<rows { for j in 0..<columns { a[i + 1][j + 1] = cost[i][j].isFinite ? cost[i][j] : forbidden } }
        var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: n + 1)
        var p = [Int](repeating: 0, count: n + 1), way = [Int](repeating: 0, count: n + 1)
        for i in 1...n {
            p[0] = i
            var j0 = 0
            var minimum = [Double](repeating: .infinity, count: n + 1)
            var used = [Bool](repeating: false, count: n + 1)
            repeat {
                used[j0] = true
                let i0 = p[j0]
                var delta = Double.infinity, j1 = 0
                for j in 1...n where !used[j] {
                    let reduced = a[i0][j] - u[i0] - v[j]
                    if reduced < minimum[j] { minimum[j] = reduced; way[j] = j0 }
                    if minimum[j] < delta { delta = minimum[j]; j1 = j }
                }
                for j in 0...n {
                    if used[j] { u[p[j]] += delta; v[j] -= delta } else { minimum[j] -= delta }
                }
                j0 = j1
            } while p[j0] != 0
            repeat {
                let j1 = way[j0]
                p[j0] = p[j1]
                j0 = j1
            } while j0 != 0
        }
        var pairs: [(row: Int, column: Int)] = []
        for j in 1...n where p[j] >= 1 && p[j] <= rows && j <= columns && cost[p[j] - 1][j - 1].isFinite {
            pairs.append((p[j] - 1, j - 1))
        }
        return pairs
    }
}
