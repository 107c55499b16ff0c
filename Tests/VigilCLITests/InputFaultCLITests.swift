import Foundation
import Testing
import VigilTestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `vigil analyze` on inputs an outside tester found mishandled: each ends in time, with
/// the documented exit code and a message that says what is wrong.
@Suite("vigil analyze on faulty inputs")
struct InputFaultCLITests {
    let cli = CLITests()

    func ffmpeg(_ arguments: [String]) throws {
        let process = try startFFmpeg(["-y"] + arguments)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("a fifo nobody writes into times out within --timeout instead of blocking in open(2)")
    func fifoWithoutWriter() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let fifo = directory.file("camera.ts")
        #expect(mkfifo(fifo, 0o644) == 0)
        let started = ContinuousClock.now
        let run = try cli.vigil(["analyze", fifo, "--timeout", "2", "--no-progress"])
        #expect(ContinuousClock.now - started < .seconds(4))
        #expect(run.status == 3)
        #expect(run.stderr.contains("timed out after 2 s while waiting for a program to write into the fifo"), "\(run.stderr)")
    }

    @Test("a fifo with a writer is read like a stream")
    func fifoWithWriter() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: "clip.ts", frames: 25)
        let fifo = directory.file("camera.ts")
        #expect(mkfifo(fifo, 0o644) == 0)
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        writer.arguments = ["-c", "sleep 0.5; cat '\(clip.path)' > '\(fifo)'"]
        try writer.run()
        let run = try cli.vigil(["analyze", fifo, "--timeout", "5", "--no-progress"])
        writer.waitUntilExit()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("analysed 25 of 25"), "\(run.stdout)")
    }

    @Test("a link loop, a folder and an absurd picture size are named for what they are")
    func namedFaults() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let loop = directory.file("loop.mp4")
        #expect(symlink(loop, loop) == 0)
        let looped = try cli.vigil(["analyze", loop, "--no-progress"])
        #expect(looped.status == 3 && looped.stderr.contains("symbolic links"), "\(looped.stderr)")
        try FileManager.default.createDirectory(atPath: directory.file("folder.mp4"), withIntermediateDirectories: false)
        let folder = try cli.vigil(["analyze", directory.file("folder.mp4"), "--no-progress"])
        #expect(folder.status == 3 && folder.stderr.contains("is a folder"), "\(folder.stderr)")
        // A y4m header declaring a million by a million pixels: FFmpeg's bare code said
        // "Device or resource busy"; its log says what it refused.
        try ffmpeg(["-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=5:duration=1", "-pix_fmt", "yuv420p", directory.file("raw.y4m")])
        var data = try Data(contentsOf: URL(fileURLWithPath: directory.file("raw.y4m")))
        let header = String(decoding: data.prefix(while: { $0 != 10 }), as: UTF8.self)
        let absurd = header.replacingOccurrences(of: "W64 H48", with: "W1000000 H1000000")
        data = Data(absurd.utf8) + data.dropFirst(header.utf8.count)
        try data.write(to: URL(fileURLWithPath: directory.file("absurd.y4m")))
        let absurdRun = try cli.vigil(["analyze", directory.file("absurd.y4m"), "--no-progress"])
        #expect(absurdRun.status == 3)
        #expect(absurdRun.stderr.contains("Picture size 1000000x1000000 is invalid") && !absurdRun.stderr.contains("busy"), "\(absurdRun.stderr)")
    }

    @Test("damage the decoder only logs makes exit 4, the same with frame threads and one thread")
    func loggedDamage() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try ffmpeg(["-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4", "-c:v", "mpeg4", "-q:v", "5", directory.file("clean.avi")])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.file("clean.avi"))))
        // Byte flips through the frame data, as a failing disk or a bad copy leaves them.
        var seeded = UInt64(42)
        for _ in 0..<200 {
            seeded = seeded &* 6364136223846793005 &+ 1442695040888963407
            let position = bytes.count / 8 + Int(seeded >> 33) % (bytes.count * 7 / 8)
            bytes[position] ^= 0xFF
        }
        try Data(bytes).write(to: URL(fileURLWithPath: directory.file("damaged.avi")))
        var codes: [Int32] = []
        for threads in ["0", "0", "1"] {
            let run = try cli.vigil(["analyze", directory.file("damaged.avi"), "--threads", threads, "--no-progress", "--width", "160"])
            codes.append(run.status)
            #expect(run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
        }
        #expect(codes == [4, 4, 4], "\(codes)")
        let clean = try cli.vigil(["analyze", directory.file("clean.avi"), "--no-progress", "--width", "160"])
        #expect(clean.status == 0 && clean.stderr.isEmpty, "\(clean.stderr)")
    }

    @Test("a Matroska file cut short (no frame count in its index) is reported as truncated")
    func truncatedMatroska() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try ffmpeg(["-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=4", "-c:v", "mjpeg", "-q:v", "5", directory.file("clean.mkv")])
        let data = try Data(contentsOf: URL(fileURLWithPath: directory.file("clean.mkv")))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: directory.file("cut.mkv")))
        let run = try cli.vigil(["analyze", directory.file("cut.mkv"), "--no-progress", "--width", "160"])
        #expect(run.status == 4, "\(run.stderr)")
        #expect(run.stderr.contains("truncated or damaged") && run.stderr.split(separator: "\n").count == 1, "\(run.stderr)")
    }
}
