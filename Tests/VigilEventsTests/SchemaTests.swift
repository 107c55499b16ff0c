import Foundation
import Testing
@testable import VigilEvents

/// The published JSON Schema and the Swift validation must agree: every event the
/// queue writes validates against the schema (checked with Python's jsonschema, an
/// independent implementation), and events Swift rejects, the schema rejects too.
@Suite("Event schema")
struct SchemaTests {
    static let schemaPath: String = {
        var directory = URL(fileURLWithPath: #filePath)
        while directory.path != "/" {
            directory.deleteLastPathComponent()
            let candidate = directory.appendingPathComponent("Schemas/event.schema.json")
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
        }
        return "Schemas/event.schema.json"
    }()

    /// One valid example of every event type, as a producer would build it.
    static func examples() -> [Event] {
        EventType.allCases.map { type in
            var event = Event(type: type, camera: "citadel-gate", frame: 120, pts: 4.8)
            if type.isDurational { event.state = .start }
            if type.requiresZone { event.zone = "plaza" }
            if type.requiresLine { event.line = "gate-in" }
            if type == .lineCrossing { event.direction = "in"; event.track = 7; event.objectClass = .vehicle; event.bbox = [0.1, 0.5, 0.2, 0.1] }
            if type == .trafficFlow { event.data = ["interval_s": .int(60), "counts": .object(["in": .int(37), "out": .int(12)])] }
            if type == .crowdLevel { event.data = ["people": .double(31.5), "level": .int(2)] }
            if type == .intrusion {
                event.snapshot = "snapshots/2026-11-23/\(event.id).jpg"
                event.clip = "clips/2026-11-23/citadel-gate-20261123T083000Z.mp4"
                event.clipState = .recording
            }
            if type == .clipReady {
                event.clip = "clips/2026-11-23/citadel-gate-20261123T083000Z.mp4"
                event.clipState = .ready
                event.data = ["events": .array([.string("a1"), .string("b2")]), "seconds": .double(21.4), "bytes": .int(2_311_000)]
            }
            if type == .acknowledgement { event.data = ["acknowledges": .int(41), "user": .string("lan"), "note": .string("đã kiểm tra")] }
            return event
        }
    }

    /// Runs jsonschema over the lines and returns one verdict per line ("ok" or the error).
    func schemaVerdicts(_ lines: [String]) throws -> [String] {
        let input = NSTemporaryDirectory() + "vigil-schema-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: input) }
        try lines.joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        validator = jsonschema.Draft202012Validator(schema)
        for line in open(sys.argv[2]):
            errors = sorted(validator.iter_errors(json.loads(line)), key=str)
            print("ok" if not errors else errors[0].message.replace("\\n", " "))
        """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, Self.schemaPath, input]
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "python3 jsonschema failed: \(errorText)")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    @Test("every event type the queue writes validates against the published schema")
    func everyTypeValidates() throws {
        let lines = try Self.examples().enumerated().map { index, event -> String in
            try event.validate()
            return String(decoding: try QueueRecord.encode(event, offset: UInt64(index)).dropLast(), as: UTF8.self)
        }
        let verdicts = try schemaVerdicts(lines)
        #expect(verdicts.count == EventType.allCases.count)
        for (type, verdict) in zip(EventType.allCases, verdicts) {
            #expect(verdict == "ok", "\(type.rawValue): \(verdict)")
        }
    }

    @Test("events the Swift validation rejects, the schema rejects too")
    func rejectionsAgree() throws {
        let invalid: [Event] = [
            Event(type: .intrusion, camera: "gate", zone: "z"),
            Event(type: .intrusion, camera: "gate", state: .start),
            Event(type: .lineCrossing, camera: "gate", line: "l"),
            Event(type: .manual, camera: "bad camera"),
            Event(type: .manual, camera: "gate", time: "2026-11-23 08:00"),
            Event(type: .manual, camera: "gate", bbox: [0.1, 0.2, 1.5, 0.1]),
            Event(type: .manual, camera: "gate", snapshot: "../../etc/passwd"),
            Event(type: .cameraOnline, camera: "gate", state: .end),
            Event(type: .acknowledgement, camera: "gate", data: ["user": .string("lan")]),
            Event(type: .acknowledgement, camera: "gate", data: ["acknowledges": .int(3)]),
            Event(type: .acknowledgement, camera: "gate", data: ["acknowledges": .string("3"), "user": .string("lan")]),
            Event(type: .clipReady, camera: "gate"),
            Event(type: .clipReady, camera: "gate", clip: "clips/a.mp4", clipState: .recording),
            Event(type: .manual, camera: "gate", clip: "clips/a.mp4"),
            Event(type: .manual, camera: "gate", clip: "/etc/a.mp4", clipState: .ready),
        ]
        let lines = try invalid.map { event -> String in
            #expect(throws: EventValidationError.self) { try event.validate() }
            return String(decoding: try QueueRecord.encode(event, offset: 0).dropLast(), as: UTF8.self)
        }
        for (event, verdict) in zip(invalid, try schemaVerdicts(lines)) {
            #expect(verdict != "ok", "schema accepted \(event)")
        }
    }
}
