/// What a rule remembers per track id, kept sorted by id: found by bisection, walked in
/// id order. The rules look up every track every frame; with dozens of tracks a
/// `Dictionary` spent more on hashing the ids than the rules spent on their own work, and
/// its order had to be sorted again wherever events must come out in a stable order.
/// Ids only grow, so a new track's entry is appended at the end.
public struct TrackTable<Value> {
    private var ids: [Int] = []
    private var values: [Value] = []

    public init() {}

    public var count: Int { ids.count }
    public var isEmpty: Bool { ids.isEmpty }

    /// Just past the entry the last `update` touched: the rules walk the tracks in id order,
    /// so the next track's entry is usually there, found without a search.
    private var next = 0

    /// Where `id` is, or where it would go.
    @inline(__always) private func position(of id: Int) -> (index: Int, found: Bool) {
        if next < ids.count && ids[next] == id { return (next, true) }
        guard let last = ids.last else { return (0, false) }
        if id > last { return (ids.count, false) }
        if id == last { return (ids.count - 1, true) }
        var low = 0, high = ids.count - 1
        while low < high {
            let middle = (low + high) / 2
            if ids[middle] < id { low = middle + 1 } else { high = middle }
        }
        return (low, ids[low] == id)
    }

    public func contains(_ id: Int) -> Bool { position(of: id).found }

    /// Setting nil removes the entry.
    public subscript(id: Int) -> Value? {
        get {
            let (index, found) = position(of: id)
            return found ? values[index] : nil
        }
        set { update(id) { $0 = newValue } }
    }

    /// Reads and writes one entry with a single search: `body` gets the entry (nil when there
    /// is none) and may change, add or (with nil) remove it.
    public mutating func update<Result>(_ id: Int, _ body: (inout Value?) -> Result) -> Result {
        let (index, found) = position(of: id)
        var value: Value? = found ? values[index] : nil
        let result = body(&value)
        switch (found, value) {
        case (true, let value?): values[index] = value; next = index + 1
        case (true, nil): ids.remove(at: index); values.remove(at: index); next = index
        case (false, let value?): ids.insert(id, at: index); values.insert(value, at: index); next = index + 1
        case (false, nil): next = index
        }
        return result
    }

    @discardableResult
    public mutating func removeValue(forKey id: Int) -> Value? {
        let (index, found) = position(of: id)
        guard found else { return nil }
        ids.remove(at: index)
        return values.remove(at: index)
    }

    /// Keeps the entries `keep` accepts, in one pass.
    public mutating func keep(where keep: (Int, Value) -> Bool) {
        var kept = 0
        for index in ids.indices where keep(ids[index], values[index]) {
            if kept != index {
                ids[kept] = ids[index]
                values[kept] = values[index]
            }
            kept += 1
        }
        ids.removeSubrange(kept...)
        values.removeSubrange(kept...)
    }

    public mutating func removeAll() {
        ids.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    /// The entries in id order.
    public var entries: Zip2Sequence<[Int], [Value]> { zip(ids, values) }
    /// The ids in order.
    public var keys: [Int] { ids }
}

extension TrackTable: Sendable where Value: Sendable {}

/// The ids of a set of tracks, sorted.
public typealias TrackSet = TrackTable<Void>

extension TrackTable where Value == Void {
    public mutating func insert(_ id: Int) { self[id] = () }
    public mutating func remove(_ id: Int) { removeValue(forKey: id) }
}
