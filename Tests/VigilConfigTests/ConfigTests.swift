import Testing
@testable import VigilConfig

@Suite("Configuration loading and validation")
struct ConfigTests {
    let design = """
    queue: { path: /var/lib/vigil/queue, fsync: always }
    cameras:
      - id: citadel-gate
        source: rtsp://user:secret@10.1.2.3/stream2
        analysis: { fps: 10, width: 480 }
        perspective: { near: { y: 0.95, person_height: 0.22 }, far: { y: 0.35, person_height: 0.07 } }
        model: Models/citadel-gate.json
        zones:
          - id: plaza
            polygon: [[0.05,0.45],[0.95,0.45],[0.95,1.0],[0.05,1.0]]
            crowd: { levels: [10, 25, 50] }
            intrusion: { schedule: "22:00-05:00", classes: [person] }
            loitering: { seconds: 120 }
        lines:
          - id: gate-in
            from: [0.30, 0.70]
            to:   [0.70, 0.70]
            names: { a_to_b: in, b_to_a: out }
    """

    func issues(_ yaml: String) -> [ConfigIssue] {
        do {
            _ = try ConfigLoader.parse(yaml: yaml, file: "test.yaml")
            return []
        } catch let error as ConfigError {
            return error.issues
        } catch {
            Issue.record("unexpected error \(error)")
            return []
        }
    }

    @Test("the design document's example loads with every field")
    func designExample() throws {
        let configuration = try ConfigLoader.parse(yaml: design)
        #expect(configuration.queue?.path == "/var/lib/vigil/queue" && configuration.queue?.fsync == .always)
        let camera = try #require(configuration.camera("citadel-gate"))
        #expect(camera.analysis.fps == 10 && camera.analysis.width == 480)
        #expect(camera.perspective?.near.personHeight == 0.22 && camera.perspective?.far.y == 0.35)
        #expect(camera.zones.first?.polygon.count == 4)
        #expect(camera.zones.first?.crowd?.levels == [10, 25, 50])
        let schedule = try #require(camera.zones.first?.intrusion?.schedule)
        #expect(schedule.contains(minuteOfDay: 23 * 60) && schedule.contains(minuteOfDay: 4 * 60))
        #expect(!schedule.contains(minuteOfDay: 12 * 60))
        #expect(camera.zones.first?.loitering?.seconds == 120)
        #expect(camera.lines.first?.aToBName == "in" && camera.lines.first?.bToAName == "out")
    }

    @Test("queue rotation and retention settings")
    func queueSettings() throws {
        let configuration = try ConfigLoader.parse(yaml: "queue: { path: /q, fsync: interval, segment_mib: 16, retain_hours: 48, retain_gib: 2.5 }\ncameras:\n  - { id: a, source: x }\n")
        let queue = try #require(configuration.queue)
        #expect(queue.fsync == .interval && queue.segmentMiB == 16 && queue.retainHours == 48 && queue.retainGiB == 2.5)
        let found = issues("queue: { path: /q, segment_mib: 0 }\ncameras:\n  - { id: a, source: x }\n")
        #expect(found.contains { $0.field == "queue.segment_mib" })
    }

    @Test("a minimal camera gets the defaults")
    func defaults() throws {
        let configuration = try ConfigLoader.parse(yaml: "cameras:\n  - id: a\n    source: clip.mp4\n")
        #expect(configuration.cameras.first?.analysis == AnalysisSettings(fps: nil, width: 480))
        #expect(configuration.queue == nil)
    }

    @Test("a misspelt field is reported with its path and line")
    func unknownField() {
        let found = issues("cameras:\n  - id: a\n    source: x.mp4\n    zones:\n      - id: z\n        polgon: [[0,0],[1,0],[1,1]]\n")
        #expect(found.contains { $0.field == "cameras[0].zones[0].polgon" && $0.line == 6 && $0.message.contains("unknown field") })
        #expect(found.contains { $0.field == "cameras[0].zones[0].polygon" && $0.message.contains("missing") })
    }

    @Test("coordinates outside 0…1 name the exact point")
    func coordinateRange() {
        let found = issues("cameras:\n  - id: a\n    source: x.mp4\n    lines:\n      - id: l\n        from: [0.1, 0.5]\n        to: [1.4, 0.5]\n")
        #expect(found.count == 1)
        #expect(found.first?.field == "cameras[0].lines[0].to[0]")
        #expect(found.first?.line == 7)
        #expect(found.first?.description.contains("within 0…1") == true)
    }

    @Test("every problem is reported in one pass")
    func manyProblems() {
        let yaml = """
        cameras:
          - id: a
            source: x.mp4
            analysis: { fps: 0, width: 10 }
          - id: a
            zones:
              - id: z
                polygon: [[0,0],[1,1]]
                intrusion: { schedule: "late" }
        """
        let fields = Set(issues(yaml).map(\.field))
        #expect(fields.isSuperset(of: ["cameras[0].analysis.fps", "cameras[0].analysis.width", "cameras[1].source",
                                       "cameras[1].zones[0].polygon", "cameras[1].zones[0].intrusion.schedule"]))
    }

    @Test("line dead band, flow interval, class model and shadow settings load and are checked")
    func trackingSettings() throws {
        let configuration = try ConfigLoader.parse(yaml: """
            cameras:
              - id: a
                source: x.mp4
                classes_model: Models/mine.json
                motion: { shadows: true, model: adaptive }
                lines:
                  - { id: l, from: [0.1, 0.5], to: [0.9, 0.5], min_distance: 0.03, flow_interval: 30 }
                  - { id: m, from: [0.1, 0.6], to: [0.9, 0.6] }
            """)
        let camera = try #require(configuration.cameras.first)
        #expect(camera.classesModel == "Models/mine.json")
        #expect(camera.suppressShadows)
        #expect(camera.lines[0].minimumDistance == 0.03 && camera.lines[0].flowInterval == 30)
        #expect(camera.lines[1].minimumDistance == 0.015 && camera.lines[1].flowInterval == 60)
        let found = issues("cameras:\n  - id: a\n    source: x\n    motion: { shadows: maybe }\n    lines:\n      - { id: l, from: [0, 0], to: [1, 1], min_distance: 0.7, flow_interval: 0 }\n")
        #expect(Set(found.map(\.field)) == ["cameras[0].motion.shadows", "cameras[0].lines[0].min_distance", "cameras[0].lines[0].flow_interval"],
                "\(found)")
        // Shadow removal belongs to the adaptive model; with the default or consensus it is an error, not ignored.
        for model in ["", ", model: consensus"] {
            let refused = issues("cameras:\n  - id: a\n    source: x\n    motion: { shadows: true\(model) }\n")
            #expect(refused.map(\.field) == ["cameras[0].motion.shadows"] && refused.allSatisfy { $0.message.contains("model: adaptive") }, "\(refused)")
        }
        #expect(issues("cameras:\n  - id: a\n    source: x\n    motion: { shadows: false }\n").isEmpty)
    }

    @Test("a line's lanes load as a count or as names, and bad lanes are reported")
    func lanes() throws {
        let configuration = try ConfigLoader.parse(yaml: """
            cameras:
              - id: a
                source: x.mp4
                lines:
                  - { id: l, from: [0.1, 0.5], to: [0.9, 0.5], lanes: 3 }
                  - { id: m, from: [0.1, 0.6], to: [0.9, 0.6], lanes: [kerb, middle, fast] }
                  - { id: n, from: [0.1, 0.7], to: [0.9, 0.7] }
            """)
        let camera = try #require(configuration.cameras.first)
        #expect(camera.lines.map(\.lanes) == [["1", "2", "3"], ["kerb", "middle", "fast"], []])
        let found = issues("""
            cameras:
              - id: a
                source: x
                lines:
                  - { id: l, from: [0, 0], to: [1, 1], lanes: 0 }
                  - { id: m, from: [0, 0], to: [1, 1], lanes: [a, b, a] }
                  - { id: n, from: [0, 0], to: [1, 1], lanes: 17 }
                  - { id: o, from: [0, 0], to: [1, 1], lanes: [] }
            """)
        #expect(Set(found.map(\.field)) == ["cameras[0].lines[0].lanes", "cameras[0].lines[1].lanes", "cameras[0].lines[2].lanes",
                                            "cameras[0].lines[3].lanes"], "\(found)")
        #expect(found.contains { $0.message.contains("differ") }, "\(found)")
    }

    @Test("traffic rules per zone load with defaults and are checked")
    func trafficRules() throws {
        let configuration = try ConfigLoader.parse(yaml: """
            cameras:
              - id: a
                source: x.mp4
                zones:
                  - id: z
                    polygon: [[0, 0], [1, 0], [1, 1]]
                    stopped_vehicle: { seconds: 30 }
                    wrong_way: { direction: [0, -1] }
                    congestion: { vehicles: 6 }
                    abandoned_object: {}
            """)
        let zone = try #require(configuration.cameras.first?.zones.first)
        #expect(zone.stoppedVehicle == StoppedVehicleRule(seconds: 30))
        #expect(zone.wrongWay == WrongWayRule(direction: NormalizedPoint(x: 0, y: -1), seconds: 1))
        #expect(zone.congestion == CongestionRule(vehicles: 6, speed: 0.5, seconds: 20))
        #expect(zone.abandonedSeconds == 60)
        let found = issues("cameras:\n  - id: a\n    source: x\n    zones:\n      - id: z\n        polygon: [[0, 0], [1, 0], [1, 1]]\n        wrong_way: { direction: [0, 0] }\n        congestion: { vehicles: 0, speed: -1 }\n        stopped_vehicle: { seconds: 0 }\n")
        #expect(Set(found.map(\.field)) == ["cameras[0].zones[0].wrong_way.direction", "cameras[0].zones[0].congestion.vehicles",
                                             "cameras[0].zones[0].congestion.speed", "cameras[0].zones[0].stopped_vehicle.seconds"], "\(found)")
    }

    @Test("a ground calibration needs four image and four ground points forming a quadrilateral")
    func groundCalibration() throws {
        let configuration = try ConfigLoader.parse(yaml: "cameras:\n  - id: a\n    source: x\n    ground: { image: [[0.4, 0.3], [0.6, 0.3], [0.9, 0.9], [0.1, 0.9]], metres: [[0, 30], [3.5, 30], [3.5, 0], [0, 0]] }\n")
        #expect(configuration.cameras[0].groundMetres?[1] == NormalizedPoint(x: 3.5, y: 30))
        let three = issues("cameras:\n  - id: a\n    source: x\n    ground: { image: [[0.4, 0.3], [0.6, 0.3], [0.9, 0.9]], metres: [[0, 30], [3.5, 30], [3.5, 0]] }\n")
        #expect(three.contains { $0.field == "cameras[0].ground" && $0.message.contains("four") }, "\(three)")
        let inLine = issues("cameras:\n  - id: a\n    source: x\n    ground: { image: [[0.1, 0.1], [0.5, 0.5], [0.9, 0.9], [0.1, 0.9]], metres: [[0, 30], [3.5, 30], [3.5, 0], [0, 0]] }\n")
        #expect(inLine.contains { $0.field == "cameras[0].ground" && $0.message.contains("one line") }, "\(inLine)")
    }

    @Test("group splitting needs a perspective")
    func splitGroups() throws {
        let found = issues("cameras:\n  - id: a\n    source: x\n    tracking: { split_groups: true }\n")
        #expect(found.map(\.field) == ["cameras[0].tracking.split_groups"], "\(found)")
        let configuration = try ConfigLoader.parse(yaml: "cameras:\n  - id: a\n    source: x\n    perspective: { near: { y: 0.9, person_height: 0.3 }, far: { y: 0.4, person_height: 0.1 } }\n    tracking: { split_groups: true }\n")
        #expect(configuration.cameras[0].splitGroups)
    }

    @Test("vehicle splitting is off by default, on by tracking.split_vehicles (no perspective needed), and a bool")
    func splitVehicles() throws {
        #expect(try ConfigLoader.parse(yaml: "cameras:\n  - id: a\n    source: x\n").cameras[0].splitVehicles == false)
        let configuration = try ConfigLoader.parse(yaml: "cameras:\n  - id: a\n    source: x\n    tracking: { split_vehicles: true }\n")
        #expect(configuration.cameras[0].splitVehicles)
        let found = issues("cameras:\n  - id: a\n    source: x\n    tracking: { split_vehicles: often }\n")
        #expect(found.map(\.field) == ["cameras[0].tracking.split_vehicles"], "\(found)")
    }

    @Test("duplicate camera ids are rejected")
    func duplicateCamera() {
        let found = issues("cameras:\n  - {id: a, source: x}\n  - {id: a, source: y}\n")
        #expect(found.contains { $0.field == "cameras[1].id" && $0.message.contains("already used") })
    }

    @Test("YAML syntax errors carry the line")
    func syntaxError() {
        let found = issues("cameras:\n  - id: a\n    source: [unclosed\n")
        #expect(found.count == 1)
        #expect(found.first?.message.contains("YAML syntax error") == true)
        #expect(found.first?.line != nil)
    }

    @Test("an empty file and wrong types are explained", arguments: [
        ("", "empty"), ("cameras: 5", "expected a list"), ("cameras: []", "empty"),
        ("cameras:\n  - id: a\n    source: x\n    analysis: { width: wide }", "whole number"),
        ("cameras:\n  - id: 'a b'\n    source: x", "letters, digits"),
        ("cameras:\n  - id: a\n    source: x\n    perspective: { near: { y: 0.3, person_height: 0.2 }, far: { y: 0.8, person_height: 0.1 } }", "lower in the picture"),
        ("cameras:\n  - id: a\n    source: x\n    zones:\n      - { id: z, polygon: [[0,0],[0.5,0.5],[1,1]] }", "area is empty"),
        ("queue: { path: /q, fsync: sometimes }\ncameras:\n  - { id: a, source: x }", "always, interval"),
    ])
    func explained(yaml: String, expected: String) {
        let found = issues(yaml)
        #expect(found.contains { $0.description.contains(expected) }, "\(found)")
    }

    @Test("a file that does not exist is a clear error")
    func missingFile() {
        #expect(throws: ConfigError.self) { try ConfigLoader.load(path: "/nonexistent/vigil.yaml") }
    }
}
