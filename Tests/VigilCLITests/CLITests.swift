import Foundation
import Testing
import VigilSynth
import VigilTestSupport
import VigilVision

/// Runs the built `vigil` executable the way a user or a script does, checking
/// exit codes and what it prints.
@Suite("vigil command line")
struct CLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let repository: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// The `vigil` binary built next to this test bundle.
    static let executable: String = {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: me).deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("vigil").path
    }()

    func vigil(_ arguments: [String]) throws -> Run { try Self.run(arguments) }

    /// Runs `vigil` with `arguments`, optionally from another working directory.
    static func run(_ arguments: [String], in directory: String? = nil) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }

    @Test("analyse a clip: exit 0, a summary, a JSON report")
    func analyzeClip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 25)
        let run = try vigil(["analyze", clip.path, "--report", directory.file("r.json"), "--frames-out", directory.file("f.jsonl")])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("analysed 25 of 25 decoded frames"))
        #expect(run.stderr.isEmpty, "no progress bar when stderr is not a terminal: \(run.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.file("r.json")))) as? [String: Any]
        #expect((report?["frames"] as? [String: Any])?["analysed"] as? Int == 25)
        #expect(report?["stage_milliseconds_per_frame"] is [String: Double])
    }

    @Test("usage errors exit 2", arguments: [
        ["analyze"], ["analyze", "x.mp4", "--fps", "-1"], ["analyze", "x.mp4", "--bogus"], ["analyze", "x.mp4", "--analysis", "magic"],
        ["analyze", "x.mp4", "--config", "c.yaml"], ["synth", "out.mp4", "--scene", "moon"],
    ])
    func usageErrors(arguments: [String]) throws {
        let run = try vigil(arguments)
        #expect(run.status == 2, "\(arguments): \(run.stderr)")
        #expect(!run.stderr.isEmpty)
    }

    @Test("inputs that cannot be opened exit 3 with one line")
    func badInputExit3() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(FileManager.default.createFile(atPath: directory.file("empty.mp4"), contents: Data()))
        for input in [directory.file("missing.mp4"), directory.file("empty.mp4")] {
            let run = try vigil(["analyze", input])
            #expect(run.status == 3)
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
            #expect(run.stderr.hasPrefix("vigil: "))
        }
    }

    @Test("a truncated input exits 4 and still writes every output")
    func truncatedExit4() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 50, containerOptions: ["movflags": "+faststart"])
        try truncatedCopy(of: clip.path, fraction: 0.5, to: directory.file("cut.mp4"))
        let run = try vigil(["analyze", directory.file("cut.mp4"), "--report", directory.file("r.json"), "--frames-out", directory.file("f.jsonl")])
        #expect(run.status == 4)
        #expect(run.stderr.contains("truncated or damaged"))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory.file("r.json")))) as? [String: Any]
        #expect(report?["incomplete"] as? Bool == true)
        let lines = try String(contentsOfFile: directory.file("f.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == (report?["frames"] as? [String: Any])?["analysed"] as? Int)
    }

    @Test("config errors exit 2 and name the field and line")
    func configErrors() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "cameras:\n  - id: gate\n    source: x.mp4\n    analysis: { width: 5 }\n".write(toFile: directory.file("c.yaml"), atomically: true, encoding: .utf8)
        let run = try vigil(["analyze", "--config", directory.file("c.yaml"), "--camera", "gate"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("cameras[0].analysis.width (line 4"))
        let unknown = try vigil(["analyze", "--config", directory.file("c.yaml"), "--camera", "nope"])
        #expect(unknown.status == 2)
    }

    @Test("the adaptive model's settings under another model are a usage error that names them; with adaptive they run")
    func adaptiveOnlySettings() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 25)
        for arguments in [["--sensitivity", "4"], ["--shadows", "--min-difference", "12"], ["--motion-model", "consensus", "--flip-step", "64"]] {
            let run = try vigil(["analyze", clip.path] + arguments)
            #expect(run.status == 2, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains("adaptive motion model") && run.stderr.contains(arguments.first { $0.hasPrefix("--") && $0 != "--motion-model" }!),
                    "\(arguments): \(run.stderr)")
        }
        let adaptive = try vigil(["analyze", clip.path, "--motion-model", "adaptive", "--sensitivity", "4", "--shadows"])
        #expect(adaptive.status == 0, "\(adaptive.stderr)")
        #expect(adaptive.stdout.contains("analysed 25 of 25 decoded frames"), "\(adaptive.stdout)")
        // A camera whose config names adaptive takes them too.
        try "cameras:\n  - id: gate\n    source: \(clip.path)\n    motion: { model: adaptive }\n"
            .write(toFile: directory.file("c.yaml"), atomically: true, encoding: .utf8)
        let configured = try vigil(["analyze", "--config", directory.file("c.yaml"), "--camera", "gate", "--sensitivity", "4"])
        #expect(configured.status == 0, "\(configured.stderr)")
    }

    @Test("a camera from the config supplies the source and analysis settings")
    func configCamera() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 50)
        try "cameras:\n  - id: gate\n    source: \(clip.path)\n    analysis: { fps: 5, width: 160 }\n"
            .write(toFile: directory.file("c.yaml"), atomically: true, encoding: .utf8)
        let run = try vigil(["analyze", "--config", directory.file("c.yaml"), "--camera", "gate"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("analysed 10 of 50 decoded frames at 160×90"), "\(run.stdout)")
    }

    @Test("tracks and line counts: MOT rows in source pixels, crossings as events, the class model named in the summary")
    func tracksAndLines() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Traffic at 480×270 analysed at 240 wide: tracks come back in source pixels.
        let clip = try makeClip(in: directory, preset: .traffic, width: 480, height: 270, frames: 100)
        let config = directory.file("c.yaml")
        try "cameras:\n  - id: road\n    source: \(clip.path)\n    analysis: { width: 240 }\n    lines:\n      - { id: gate, from: [0.5, 0.05], to: [0.5, 0.98] }\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let run = try vigil(["analyze", "--config", config, "--camera", "road", "--tracks-out", directory.file("t.txt"),
                             "--events-out", directory.file("e.jsonl"), "--classes-model", Self.repository + "/Models/classes.json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("classes from \(Self.repository)/Models/classes.json"), "\(run.stdout)")
        let rows = try String(contentsOfFile: directory.file("t.txt"), encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",") }
        #expect(!rows.isEmpty && rows.allSatisfy { $0.count == 10 && $0[7] == "-1" })
        // Boxes reach beyond the 240-wide analysis frame: they were scaled to the 480-wide source.
        #expect(rows.contains { (Double($0[2]) ?? 0) + (Double($0[4]) ?? 0) > 300 })
        #expect(rows.allSatisfy { (Int($0[0]) ?? 0) >= 1 }, "frames are 1-based")
        // Crossings after the detector's 20-frame warm-up (and its track's confirmation).
        let truth = spec(clip.spec).filter { $0.frame >= 24 }.map(\.frame)
        let events = try String(contentsOfFile: directory.file("e.jsonl"), encoding: .utf8)
        #expect(events.components(separatedBy: "\"line_crossing\"").count - 1 == truth.count, "truth at frames \(truth)")
    }

    func spec(_ spec: SceneSpec) -> [VigilSynth.LineCrossing] {
        var withLine = spec
        withLine.lines = [SceneLine(id: "gate", segment: LineSegment(from: Point(x: 0.5, y: 0.05), to: Point(x: 0.5, y: 0.98)))]
        return withLine.lineCrossings()
    }

    @Test("a bad class model is a usage error naming the file")
    func badModel() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 10)
        try #"{"kind": "something-else", "version": 1}"#.write(toFile: directory.file("m.json"), atomically: true, encoding: .utf8)
        try #"{"kind": "vigil-object-classes", "version": 1, "person_height_ratio": "tall"}"#.write(toFile: directory.file("t.json"), atomically: true, encoding: .utf8)
        for (file, expected) in [("m.json", "not an object-class model"), ("t.json", "person_height_ratio"), ("missing.json", "no such file")] {
            let run = try vigil(["analyze", clip.path, "--classes-model", directory.file(file)])
            #expect(run.status == 2, "\(file): \(run.stderr)")
            #expect(run.stderr.contains(directory.file(file)) && run.stderr.contains(expected), "\(run.stderr)")
        }
    }

    @Test("synth writes a clip and its ground truth")
    func synth() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let run = try vigil(["synth", directory.file("s.mp4"), "--scene", "people", "--frames", "20", "--width", "160", "--height", "90",
                             "--truth", directory.file("truth")])
        #expect(run.status == 0, "\(run.stderr)")
        for name in ["scene.json", "boxes.txt", "crossings.jsonl", "masks/000019.png"] {
            #expect(FileManager.default.fileExists(atPath: directory.file("truth/" + name)), "\(name)")
        }
        let analysed = try vigil(["analyze", directory.file("s.mp4")])
        #expect(analysed.stdout.contains("analysed 20 of 20"))
    }
}

@Suite("vigil queue command line")
struct QueueCLITests {
    func vigil(_ arguments: [String], input: String = "") throws -> CLITests.Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLITests.executable)
        process.arguments = arguments
        let stdin = Pipe(), out = Pipe(), err = Pipe()
        process.standardInput = stdin
        process.standardOutput = out
        process.standardError = err
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLITests.Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                            stderr: String(decoding: errData, as: UTF8.self))
    }

    @Test("append acknowledges offsets, rejects bad lines by number, and tail filters and resumes a group")
    func appendTailStat() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let queue = directory.file("q")
        let input = """
        {"type":"manual","camera":"gate","data":{"note":"test alarm"}}
        {"type":"line_crossing","camera":"gate","line":"l1","direction":"in","frame":10,"pts":0.4}
        {"type":"intrusion","camera":"gate"}
        {"type":"camera_offline","camera":"yard"}
        """
        let appended = try vigil(["queue", "append", "--queue", queue], input: input + "\n")
        #expect(appended.status == 2)
        #expect(appended.stdout == "0\n1\n2\n")
        #expect(appended.stderr.contains("stdin line 3: state"))

        let all = try vigil(["queue", "tail", "--queue", queue])
        #expect(all.stdout.split(separator: "\n").count == 3)
        let yard = try vigil(["queue", "tail", "--queue", queue, "--camera", "yard"])
        #expect(yard.stdout.split(separator: "\n").count == 1 && yard.stdout.contains("\"offset\":2"))
        let crossings = try vigil(["queue", "tail", "--queue", queue, "--type", "line_crossing"])
        #expect(crossings.stdout.split(separator: "\n").count == 1)

        let firstRead = try vigil(["queue", "tail", "--queue", queue, "--group", "ioc", "--limit", "2"])
        #expect(firstRead.stdout.split(separator: "\n").count == 2)
        let resumed = try vigil(["queue", "tail", "--queue", queue, "--group", "ioc"])
        #expect(resumed.stdout.split(separator: "\n").count == 1 && resumed.stdout.contains("\"offset\":2"))

        let stat = try vigil(["queue", "stat", "--queue", queue])
        #expect(stat.status == 0)
        #expect(stat.stdout.contains("offsets 0…2") && stat.stdout.contains("group ioc: next offset 3, lag 0"))
    }

    @Test("the queue folder comes from the configuration, and a missing one is a clear error")
    func queueFromConfig() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "queue: { path: \(directory.file("q")), fsync: interval }\ncameras:\n  - { id: a, source: x }\n"
            .write(toFile: directory.file("c.yaml"), atomically: true, encoding: .utf8)
        let appended = try vigil(["queue", "append", "--config", directory.file("c.yaml")], input: "{\"type\":\"manual\",\"camera\":\"a\"}\n")
        #expect(appended.status == 0 && appended.stdout == "0\n")
        let missing = try vigil(["queue", "tail", "--queue", directory.file("nothing")])
        #expect(missing.status == 1 && missing.stderr.contains("no such file"))
        let none = try vigil(["queue", "stat"])
        #expect(none.status == 2)
    }
}
