import Foundation
import Testing
import VigilTestSupport

/// `vigil queue` on input and queues an outside tester damaged.
@Suite("vigil queue on bad input")
struct QueueCLIFaultTests {
    let cli = QueueCLITests()

    @Test("--acks json answers every line in order; unknown fields and over-long lines are refused, the rest stored")
    func acksJSON() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let queue = directory.file("q")
        let long = "{\"type\":\"manual\",\"camera\":\"gate\",\"data\":{\"x\":\"" + String(repeating: "a", count: 2 << 20) + "\"}}"
        let input = [
            #"{"type":"manual","camera":"gate"}"#,
            #"{"type":"manual","camera":"gate","colour":"red"}"#,
            "",
            long,
            #"{"type":"intrusion","camera":"gate"}"#,
            #"{"type":"manual","camera":"yard"}"#,
        ].joined(separator: "\n") + "\n"
        let run = try cli.vigil(["queue", "append", "--queue", queue, "--acks", "json"], input: input)
        #expect(run.status == 2)
        let answers = run.stdout.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(answers.count == 6, "\(run.stdout.prefix(2000))")
        #expect(answers.map { $0?["line"] as? Int } == [1, 2, 3, 4, 5, 6])
        #expect(answers[0]?["offset"] as? Int == 0)
        #expect((answers[1]?["error"] as? String)?.contains("colour") == true)
        #expect(answers[2]?["error"] != nil)
        #expect((answers[3]?["error"] as? String)?.contains("--max-line-bytes") == true)
        #expect((answers[4]?["error"] as? String)?.contains("state") == true)
        #expect(answers[5]?["offset"] as? Int == 1)
        #expect(run.stderr.contains("stdin line 2: colour"))
        // The plain default is unchanged: offsets of stored events only.
        let plain = try cli.vigil(["queue", "append", "--queue", queue], input: #"{"type":"manual","camera":"gate","colour":"red"}"# + "\n" + #"{"type":"manual","camera":"gate"}"# + "\n")
        #expect(plain.status == 2 && plain.stdout == "2\n")
        let stored = try cli.vigil(["queue", "tail", "--queue", queue])
        #expect(stored.stdout.split(separator: "\n").count == 3 && !stored.stdout.contains("colour"))
    }

    @Test("a very long line costs time in proportion to its length and is refused without being kept")
    func longLineLinear() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let queue = directory.file("q")
        // 24 MiB without a newline, then a good event: once quadratic (rescanning the buffer per read).
        let input = String(repeating: "x", count: 24 << 20) + "\n" + #"{"type":"manual","camera":"gate"}"# + "\n"
        let started = ContinuousClock.now
        let run = try cli.vigil(["queue", "append", "--queue", queue, "--acks", "json"], input: input)
        let elapsed = ContinuousClock.now - started
        #expect(run.status == 2)
        #expect(run.stdout.contains(#"{"error":"the line is longer than the limit of 1048576 bytes (--max-line-bytes)","line":1}"#), "\(run.stdout)")
        #expect(run.stdout.contains(#"{"line":2,"offset":0}"#))
        #expect(elapsed < .seconds(20), "took \(elapsed)")
    }

    @Test("tail prints the records around an unreadable segment and exits 0, with a message naming it")
    func tailAroundUnreadable() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let queue = directory.file("q")
        let line = #"{"type":"manual","camera":"gate"}"# + "\n"
        _ = try cli.vigil(["queue", "append", "--queue", queue], input: String(repeating: line, count: 3))
        // Start a second and a third segment by hand-naming them: the writer continues in the newest.
        let middle = queue + "/00000000000000000003.jsonl"
        try FileManager.default.createDirectory(atPath: middle, withIntermediateDirectories: false)
        FileManager.default.createFile(atPath: queue + "/00000000000000000010.jsonl", contents: Data())
        let appended = try cli.vigil(["queue", "append", "--queue", queue], input: String(repeating: line, count: 2))
        #expect(appended.stdout == "10\n11\n")
        let tail = try cli.vigil(["queue", "tail", "--queue", queue])
        #expect(tail.status == 0, "\(tail.stderr)")
        #expect(tail.stdout.split(separator: "\n").count == 5)
        #expect(tail.stderr.contains("00000000000000000003.jsonl") && tail.stderr.contains("skipped"))
        let stat = try cli.vigil(["queue", "stat", "--queue", queue])
        #expect(stat.stdout.contains("offsets 0…11"), "\(stat.stdout)")
    }
}
