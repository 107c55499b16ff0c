import Foundation
import Testing
import VigilMedia
import VigilPipeline
import VigilTestSupport

/// Real streams served by the ffmpeg tool on 127.0.0.1, read back through the same path as files.
@Suite("Network sources", .serialized)
struct NetworkSourceTests {
    @Test("an HTTP MPEG-TS stream decodes every frame")
    func http() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: "clip.ts", frames: 50)
        let port = try SilentServer.closedPort()
        let server = try startFFmpeg(["-i", clip.path, "-c", "copy", "-f", "mpegts", "-listen", "1", "http://127.0.0.1:\(port)/live.ts"])
        defer { server.terminate(); server.waitUntilExit() }
        var options = ClipAnalysisOptions(input: SourceLocation("http://127.0.0.1:\(port)/live.ts"))
        options.source.openTimeout = 5
        options.source.readTimeout = 5
        // The server needs a moment to listen; a refused connection is retried, as a worker would.
        var report: ClipReport? = nil
        for _ in 0..<50 where report == nil {
            do { report = try ClipAnalysis(options: options).run() } catch MediaError.openFailed { usleep(100_000) }
        }
        let result = try #require(report)
        #expect(result.frames.decoded == 50)
        #expect(result.source.codec == "h264")
    }

    @Test("a UDP stream is read as it arrives, and its end is a stall after the last frame")
    func udp() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: "clip.ts", frames: 50)
        let port = try SilentServer.closedPort()
        var options = ClipAnalysisOptions(input: SourceLocation("udp://127.0.0.1:\(port)"))
        options.source.openTimeout = 10
        options.source.readTimeout = 1
        let sender = Thread {
            usleep(500_000)
            if let process = try? startFFmpeg(["-re", "-i", clip.path, "-c", "copy", "-f", "mpegts", "udp://127.0.0.1:\(port)?pkt_size=1316"]) {
                process.waitUntilExit()
            }
        }
        sender.start()
        let report = try ClipAnalysis(options: options).run()
        // UDP joins mid-stream: frames before the first keyframe that arrived are lost, which is the protocol's nature.
        #expect(report.frames.decoded >= 40 && report.frames.decoded <= 50)
        #expect(report.incomplete)
        #expect(report.incompleteReason?.contains("timed out") == true, "\(report.incompleteReason ?? "no reason")")
    }
}
