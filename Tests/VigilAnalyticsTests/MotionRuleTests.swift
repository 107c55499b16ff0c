import Testing
import VigilAnalytics

@Suite("Motion events with hysteresis")
struct MotionRuleTests {
    /// Feeds fractions at 25 fps and returns the transitions.
    func run(_ fractions: [Double]) -> [MotionTransition] {
        var rule = MotionRule(zone: "gate")
        var transitions: [MotionTransition] = []
        for (frame, fraction) in fractions.enumerated() {
            if let transition = rule.observe(fraction: fraction, frame: frame, pts: Double(frame) / 25) { transitions.append(transition) }
        }
        if let last = rule.finish(frame: fractions.count - 1, pts: Double(fractions.count - 1) / 25) { transitions.append(last) }
        return transitions
    }

    @Test("one incident is one start and one end")
    func oneIncident() {
        let fractions = Array(repeating: 0.0, count: 50) + Array(repeating: 0.05, count: 100) + Array(repeating: 0.0, count: 100)
        let transitions = run(fractions)
        #expect(transitions.map(\.state) == [.start, .end])
        // Starts 0.2 s after motion appears, ends 2 s after it stops.
        #expect(transitions[0].frame == 55)
        #expect(transitions[1].frame == 200)
        #expect(transitions[1].fraction == 0.05)
    }

    @Test("flicker around the threshold never becomes an event storm")
    func flicker() {
        let fractions = (0..<500).map { $0 % 3 == 0 ? 0.006 : 0.001 }
        #expect(run(fractions).isEmpty)
        // Motion that pauses briefly (under 2 s) stays one event.
        let pausing = (0..<500).map { ($0 / 20) % 2 == 0 ? 0.05 : 0.0 }
        #expect(run(pausing).map(\.state) == [.start, .end])
    }

    @Test("motion still going at the end of a clip is closed there")
    func openAtEnd() {
        let transitions = run(Array(repeating: 0.1, count: 30))
        #expect(transitions.map(\.state) == [.start, .end])
        #expect(transitions.last?.frame == 29)
    }
}
