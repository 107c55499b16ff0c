import Testing
import VigilClips
import VigilEvents

/// Which events share a clip and where it ends, on hand-made events.
@Suite("Clip plan")
struct ClipPlanTests {
    let settings = ClipPlan.Settings(types: [.intrusion, .loitering, .crowdGathering], pre: 5, post: 10, longest: 60)

    func event(_ type: EventType, _ state: Event.State? = nil, zone: String = "gate", track: Int? = nil, id: String) -> Event {
        Event(id: id, type: type, camera: "cam", state: state, zone: zone, track: track)
    }

    @Test("an alarm opens a clip `pre` seconds ahead; it ends `post` seconds after the alarm's end")
    func single() {
        var plan = ClipPlan(settings: settings)
        guard case let .opens(clip, closed) = plan.admit(event(.intrusion, .start, track: 3, id: "a"), at: 20, name: { "c1" }) else {
            Issue.record("no clip opened"); return
        }
        #expect(closed == nil)
        #expect(clip.start == 15 && clip.until == nil)
        // While the alarm lasts the clip goes on, up to `longest` from its start.
        #expect(!plan.isComplete(at: 74))
        #expect(plan.isComplete(at: 75.1))
        // The end does not name the track: it still closes the alarm.
        #expect(plan.admit(event(.intrusion, .end, id: "b"), at: 30, name: { "x" }) == .joins(plan.current!))
        #expect(plan.current?.until == 40)
        #expect(!plan.isComplete(at: 40))
        #expect(plan.isComplete(at: 40.04))
        #expect(plan.close()?.events == ["a", "b"])
        #expect(plan.current == nil)
    }

    @Test("alarms that overlap share one clip, which ends after the last of them")
    func overlapping() {
        var plan = ClipPlan(settings: settings)
        _ = plan.admit(event(.intrusion, .start, track: 1, id: "a"), at: 10, name: { "c1" })
        #expect(plan.admit(event(.loitering, .start, track: 2, id: "b"), at: 12, name: { "c2" }) == .joins(plan.current!))
        _ = plan.admit(event(.intrusion, .end, id: "c"), at: 15, name: { "x" })
        #expect(plan.current?.until == nil, "the loitering still lasts")
        _ = plan.admit(event(.loitering, .end, track: 2, id: "d"), at: 18, name: { "x" })
        #expect(plan.current?.until == 28)
        // A one-off alarm inside the post-roll joins and pushes the end.
        #expect(plan.admit(event(.crowdGathering, id: "e"), at: 25, name: { "c3" }) == .joins(plan.current!))
        #expect(plan.current?.until == 35)
        #expect(plan.current?.name == "c1")
        #expect(plan.current?.events == ["a", "b", "c", "d", "e"])
    }

    @Test("an alarm after the clip's end opens a new clip and closes the old one")
    func afterTheEnd() {
        var plan = ClipPlan(settings: settings)
        _ = plan.admit(event(.crowdGathering, id: "a"), at: 10, name: { "c1" })
        #expect(plan.current?.until == 20)
        guard case let .opens(clip, closed) = plan.admit(event(.crowdGathering, id: "b"), at: 21, name: { "c2" }) else {
            Issue.record("no new clip"); return
        }
        #expect(closed?.name == "c1" && clip.name == "c2" && clip.start == 16)
    }

    @Test("types not configured, and ends of alarms it never saw start, get no clip")
    func ignored() {
        var plan = ClipPlan(settings: settings)
        #expect(plan.admit(event(.motion, .start, id: "a"), at: 1, name: { "c" }) == .none)
        #expect(plan.admit(event(.intrusion, .end, id: "b"), at: 2, name: { "c" }) == .none)
        #expect(plan.current == nil)
        #expect(!plan.isComplete(at: 1000))
    }
}
