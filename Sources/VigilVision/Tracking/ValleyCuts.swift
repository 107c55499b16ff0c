/// Where to cut a blob's foreground profile (its count per column, or per row) into pieces:
/// at the emptiest places, the gaps where objects that touch in one blob meet.
enum ValleyCuts {
    /// Cuts 0 = c₀ < c₁ < … < cₙ = profile.count into `count` parts, each inner cut at the
    /// emptiest place (the entries on both sides of it, so a one-entry gap counts) within
    /// `reach` of a part's length from where an equal cut would fall, the nearer on a tie.
    static func cut(_ profile: [Int], pieces count: Int, reach: Double, into cuts: inout [Int]) {
        let span = profile.count
        cuts.removeAll(keepingCapacity: true)
        cuts.append(0)
        let length = Double(span) / Double(count)
        for index in 1..<max(1, count) {
            let equal = Double(index) * length
            let low = max(cuts[cuts.count - 1] + 1, Int((equal - reach * length).rounded()))
            let high = min(span - (count - index), Int((equal + reach * length).rounded()))
            var best = Int(equal.rounded()), bestCost = Int.max, bestDistance = Double.infinity
            if low <= high {
                for x in low...high {
                    let cost = profile[x - 1] + profile[min(span - 1, x)]
                    let distance = abs(Double(x) - equal)
                    if cost < bestCost || (cost == bestCost && distance < bestDistance) { best = x; bestCost = cost; bestDistance = distance }
                }
            }
            cuts.append(min(max(best, cuts[cuts.count - 1] + 1), span - (count - index)))
        }
        cuts.append(span)
    }
}
