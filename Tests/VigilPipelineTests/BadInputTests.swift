import Foundation
import Testing
import VigilMedia
import VigilPipeline
import VigilTestSupport

/// Every kind of bad input ends in one clear error (or an "incomplete" report that
/// keeps what could be decoded), within the timeout: never a crash, never a hang.
@Suite("Bad input")
struct BadInputTests {
    func analyse(_ input: String, timeout: Double = 10) throws -> ClipReport {
        var options = ClipAnalysisOptions(input: SourceLocation(input))
        options.source.openTimeout = timeout
        options.source.readTimeout = timeout
        return try ClipAnalysis(options: options).run()
    }

    func expectError(_ input: String, timeout: Double = 10, _ matches: (MediaError) -> Bool) {
        do {
            _ = try analyse(input, timeout: timeout)
            Issue.record("expected an error for \(input)")
        } catch let error as MediaError {
            #expect(matches(error), "unexpected error: \(error)")
            #expect(!error.description.contains("\n"), "one line only")
        } catch {
            Issue.record("unexpected error type: \(error)")
        }
    }

    @Test func missingFile() {
        expectError("/nonexistent/clip.mp4") { $0 == .fileNotFound(path: "/nonexistent/clip.mp4") }
    }

    @Test func zeroByteFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(FileManager.default.createFile(atPath: directory.file("empty.mp4"), contents: Data()))
        expectError(directory.file("empty.mp4")) { if case .emptyFile = $0 { true } else { false } }
    }

    @Test func textFileNamedMP4() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try Data("camera list\nnorth gate\n".utf8).write(to: URL(fileURLWithPath: directory.file("notes.mp4")))
        expectError(directory.file("notes.mp4")) {
            if case let .openFailed(_, reason) = $0 { reason.contains("not a video file") } else { false }
        }
    }

    @Test("an mp4 cut before its index (moov at the end) cannot be opened")
    func truncatedMP4WithoutIndex() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, frames: 40)
        try truncatedCopy(of: clip.path, fraction: 0.5, to: directory.file("cut.mp4"))
        expectError(directory.file("cut.mp4")) { if case .openFailed = $0 { true } else { false } }
    }

    @Test("an mp4 whose data is cut mid-GOP is analysed up to the cut and reported incomplete")
    func truncatedMP4MidGOP() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Index first (faststart, as web-ready recordings are written), then the data.
        let clip = try makeClip(in: directory, frames: 60, containerOptions: ["movflags": "+faststart"])
        try truncatedCopy(of: clip.path, fraction: 0.6, to: directory.file("cut.mp4"))
        let report = try analyse(directory.file("cut.mp4"))
        #expect(report.incomplete)
        #expect(report.incompleteReason?.contains("of the 60 frames its index lists") == true)
        #expect(report.frames.decoded > 10 && report.frames.decoded < 60)
    }

    @Test("a Matroska file cut mid-GOP is analysed up to the cut")
    func matroskaCutMidGOP() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: "clip.mkv", frames: 60)
        try truncatedCopy(of: clip.path, fraction: 0.6, to: directory.file("cut.mkv"))
        let report = try analyse(directory.file("cut.mkv"))
        #expect(report.frames.decoded > 10 && report.frames.decoded < 60)
    }

    @Test("a transport stream cut inside a frame is analysed up to the cut and reported damaged")
    func transportStreamCutMidFrame() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: "clip.ts", frames: 60)
        try truncatedCopy(of: clip.path, fraction: 0.55, to: directory.file("cut.ts"))
        let report = try analyse(directory.file("cut.ts"))
        #expect(report.incomplete)
        #expect(report.frames.decoded > 10 && report.frames.decoded < 60)
    }

    @Test("an unknown codec names its tag")
    func unsupportedCodec() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: "clip.avi", frames: 5, codec: .mpeg4)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: clip.path))
        // Replace the MPEG-4 fourcc everywhere, as a camera with an exotic codec would write it.
        var replaced = 0
        var index = bytes.startIndex
        while let range = bytes[index...].firstRange(of: Data("FMP4".utf8)) {
            bytes.replaceSubrange(range, with: Data("ZZZZ".utf8))
            index = range.upperBound
            replaced += 1
        }
        #expect(replaced > 0)
        try bytes.write(to: URL(fileURLWithPath: directory.file("alien.avi")))
        expectError(directory.file("alien.avi")) {
            if case let .unsupportedCodec(_, codec) = $0 { codec.contains("ZZZZ") } else { false }
        }
    }

    @Test("connection refused fails at once", arguments: ["rtsp", "http", "tcp"])
    func connectionRefused(scheme: String) throws {
        let port = try SilentServer.closedPort()
        let start = Date()
        expectError("\(scheme)://127.0.0.1:\(port)/stream", timeout: 5) {
            if case let .openFailed(_, reason) = $0 { reason.contains("refused") } else { false }
        }
        #expect(Date().timeIntervalSince(start) < 3)
    }

    @Test("a port that accepts but never answers times out", arguments: ["rtsp", "http", "tcp"])
    func silentServer(scheme: String) throws {
        let server = try SilentServer()
        let start = Date()
        expectError("\(scheme)://127.0.0.1:\(server.port)/stream", timeout: 1.5) {
            if case .timedOut = $0 { true } else { false }
        }
        let elapsed = Date().timeIntervalSince(start)
        #expect(elapsed >= 1.4 && elapsed < 5, "took \(elapsed) s")
    }

    @Test("a UDP port with no sender times out")
    func silentUDP() throws {
        let port = try SilentServer.closedPort()
        let start = Date()
        expectError("udp://127.0.0.1:\(port)", timeout: 1.5) { if case .timedOut = $0 { true } else { false } }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test("credentials in a failing URL do not appear in the error")
    func credentialsHidden() throws {
        let port = try SilentServer.closedPort()
        do {
            _ = try analyse("rtsp://admin:hunter2@127.0.0.1:\(port)/s", timeout: 3)
            Issue.record("expected failure")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}
