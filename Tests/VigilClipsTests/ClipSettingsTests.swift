import Testing
import VigilClips
import VigilConfig
import VigilEvents
import VigilPipeline

/// `clips:` in a camera's settings: defaults, bounds, and the event types it may name.
@Suite("Clip settings")
struct ClipSettingsTests {
    func camera(_ clips: String) throws -> CameraSettings {
        try ConfigLoader.parse(yaml: """
            cameras:
              - id: gate
                source: a.mp4
            \(clips.isEmpty ? "" : "    " + clips)
            """).cameras[0]
    }

    @Test("no clips: section records none; an empty one records every alarm with the defaults")
    func defaults() throws {
        #expect(try camera("").clips == nil)
        let clips = try #require(try camera("clips: {}").clips)
        #expect(clips == ClipSettings())
        let plan = ClipPlan.Settings(clips)
        #expect(plan.pre == 5 && plan.post == 10 && plan.longest == 120)
        // Every alarm, and not motion, counts, flow or the camera's own state.
        #expect(!plan.types.contains(.motion) && !plan.types.contains(.lineCrossing) && !plan.types.contains(.trafficFlow))
        #expect(!plan.types.contains(.cameraOffline) && !plan.types.contains(.cameraOnline))
        #expect(plan.types.contains(.intrusion) && plan.types.contains(.tamper) && plan.types.contains(.crowdGathering))
    }

    @Test("the names clips: accepts are event types, and the alarms are every type a camera raises but the four left out")
    func namesAreEventTypes() {
        for name in ClipSettings.alarmTypes + ClipSettings.otherTypes { #expect(EventType(rawValue: name) != nil, "\(name)") }
        let raisedByCameras = EventType.allCases.filter {
            ![.manual, .acknowledgement, .configChange, .clipReady, .cameraOnline, .cameraOffline].contains($0)
        }
        #expect(Set(ClipSettings.alarmTypes + ClipSettings.otherTypes) == Set(raisedByCameras.map(\.rawValue)))
    }

    @Test("a bad clips: setting names the field and what it accepts")
    func errors() throws {
        #expect(try camera("clips: { types: [intrusion, loitering], pre: 2, post: 30, longest: 300 }").clips?.types == ["intrusion", "loitering"])
        for (yaml, expected) in [("clips: { types: [intruder] }", "cameras[0].clips.types[0]"),
                                 ("clips: { pre: 90 }", "between 0 and 60"),
                                 ("clips: { longest: 0 }", "between 1 and 3600"),
                                 ("clips: { ring_mib: 5000 }", "cameras[0].clips.ring_mib"),
                                 ("clips: { after: 3 }", "unknown field")] {
            do {
                _ = try camera(yaml)
                Issue.record("accepted \(yaml)")
            } catch {
                #expect("\(error)".contains(expected), "\(yaml): \(error)")
            }
        }
    }

    @Test("a dual-stream source: the analysis stream is the camera's source, the record stream is kept for clips")
    func dualStreamSource() throws {
        let parsed = try ConfigLoader.parse(yaml: """
            cameras:
              - id: gate
                source: { analysis: "rtsp://10.0.0.5/sub", record: "rtsp://10.0.0.5/main" }
                clips: {}
            """).cameras[0]
        #expect(parsed.source == "rtsp://10.0.0.5/sub" && parsed.recordSource == "rtsp://10.0.0.5/main")
        for (yaml, expected) in [("{ record: b.mp4 }", "cameras[0].source.analysis"), ("{ analysis: a.mp4, main: b.mp4 }", "unknown field")] {
            do {
                _ = try ConfigLoader.parse(yaml: "cameras:\n  - id: gate\n    source: \(yaml)\n")
                Issue.record("accepted \(yaml)")
            } catch {
                #expect("\(error)".contains(expected), "\(yaml): \(error)")
            }
        }
    }
}
