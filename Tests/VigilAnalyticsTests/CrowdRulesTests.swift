import Testing
import VigilEvents
@testable import VigilAnalytics

/// Crowd events from people-estimate sequences with known shape, at 10 frames a second.
@Suite("Crowd rules")
struct CrowdRulesTests {
    func run(_ rule: inout CrowdZoneRule, seconds: Double, people: (Double) -> Double, speeds: (Double) -> [Double] = { _ in [] }) -> [Event] {
        var events: [Event] = []
        for frame in 0..<Int(seconds * 10) {
            let t = Double(frame) / 10
            events += rule.observe(people: people(t), speeds: speeds(t), camera: "plaza", frame: frame, pts: t)
        }
        return events
    }

    func levels(_ events: [Event]) -> [(Double, Int)] {
        events.filter { $0.type == .crowdLevel }.map { event -> (Double, Int) in
            var level = -1
            if case let .int(value)? = event.data?["level"] { level = Int(value) }
            return (event.pts ?? -1, level)
        }
    }

    @Test("levels rise at their thresholds and fall only below 85 % of them, each change once")
    func levelsWithHysteresis() {
        var rule = CrowdZoneRule(zone: "square", levels: [10, 20])
        // Up to 30 over 60 s, held, then down to 0 over 60 s.
        let events = run(&rule, seconds: 180) { t in t < 60 ? t / 2 : t < 120 ? 30 : max(0, 30 - (t - 120) / 2) }
        let changes = levels(events)
        #expect(changes.map(\.1) == [1, 2, 1, 0], "\(changes)")
        // Smoothing (1 s) delays each change by about a second.
        #expect(abs(changes[0].0 - 21) < 2.5 && abs(changes[1].0 - 41) < 2.5, "\(changes)")
        // Down: 20 × 0.85 = 17 is reached at t = 146, 10 × 0.85 = 8.5 at t = 163.
        #expect(abs(changes[2].0 - 147) < 2.5 && abs(changes[3].0 - 164) < 2.5, "\(changes)")
        #expect(events.allSatisfy { $0.zone == "square" && $0.data?["people"] != nil })
    }

    @Test("a count flickering around a level makes one event, not a storm")
    func noStormAtTheThreshold() {
        var rule = CrowdZoneRule(zone: "square", levels: [10])
        let events = run(&rule, seconds: 120) { t in 10 + 1.2 * (Int(t * 10) % 7 < 3 ? 1 : -1) }
        #expect(levels(events).count <= 1, "\(levels(events))")
    }

    @Test("gathering: a rise of 10 within 20 s is reported once; the same rise over 3 minutes is not")
    func gathering() {
        var fast = CrowdZoneRule(zone: "square", levels: [50])
        fast.gatheringRise = 10
        fast.gatheringSeconds = 30
        let quick = run(&fast, seconds: 90) { t in t < 20 ? 3 : t < 40 ? 3 + (t - 20) * 0.6 : 15 }
        let gatherings = quick.filter { $0.type == .crowdGathering }
        #expect(gatherings.count == 1)
        #expect(gatherings.first.map { ($0.pts ?? 0) > 30 && ($0.pts ?? 0) < 40 } == true, "\(gatherings.map { $0.pts ?? -1 })")

        var slow = CrowdZoneRule(zone: "square", levels: [50])
        slow.gatheringRise = 10
        slow.gatheringSeconds = 30
        let gradual = run(&slow, seconds: 200) { t in 3 + t * 0.06 }
        #expect(gradual.filter { $0.type == .crowdGathering }.isEmpty)
    }

    @Test("running: a crowded zone that suddenly moves at three times its pace raises one event a second later; a sparse one does not")
    func running() {
        var crowded = CrowdZoneRule(zone: "square", levels: [50])
        crowded.runningSpeed = 1.5
        let events = run(&crowded, seconds: 90, people: { _ in 12 }, speeds: { t in Array(repeating: t < 60 ? 0.6 : 2.2, count: 8) })
        let runs = events.filter { $0.type == .crowdRunning }
        #expect(runs.count == 1)
        #expect(runs.first.map { abs(($0.pts ?? 0) - 61) < 0.3 } == true, "\(runs.map { $0.pts ?? -1 })")

        var sparse = CrowdZoneRule(zone: "square", levels: [50])
        sparse.runningSpeed = 1.5
        let none = run(&sparse, seconds: 90, people: { _ in 2 }, speeds: { t in Array(repeating: t < 60 ? 0.6 : 2.2, count: 2) })
        #expect(none.filter { $0.type == .crowdRunning }.isEmpty)
        // A zone where people always hurry (a station concourse) is its own normal.
        var hurried = CrowdZoneRule(zone: "square", levels: [50])
        hurried.runningSpeed = 1.5
        let steady = run(&hurried, seconds: 120, people: { _ in 12 }, speeds: { _ in Array(repeating: 1.8, count: 8) })
        #expect(steady.filter { $0.type == .crowdRunning }.isEmpty)
    }

    @Test("levels per square metre use the zone's ground area")
    func density() {
        var rule = CrowdZoneRule(zone: "square", levels: [0.5, 1], areaSquareMetres: 40)
        let events = run(&rule, seconds: 60) { _ in 30 }
        let changes = levels(events)
        #expect(changes.map(\.1) == [1], "30 people on 40 m² is 0.75 per m²: \(changes)")
        #expect(events.first?.data?["per_square_metre"] == .double(0.75))
    }
}
