import Foundation
import Testing
import VigilMedia
import VigilPipeline
import VigilTestSupport

/// Tamper on real footage: 350 frames of highway-cctv.avi (its frames 200–549, to keep the
/// debug-build suite short) with frames 100–199 blurred (focus knocked), covered (a dark card
/// over the lens) or replaced by another camera's picture (car-overhead.avi: the camera
/// turned). The alarm must start at frame 175 (3 s of persistence at 25 fps) and end at
/// 275, within half a second, naming the reason, and the untouched clips must raise none.
@Suite("Camera tamper on real footage", .serialized)
struct RealTamperTests {
    static let samples = RealFootageTests.repository.deletingLastPathComponent().appendingPathComponent("shared/samples").path

    func ffmpeg(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-nostdin", "-v", "error", "-y"] + arguments
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "ffmpeg \(arguments)")
    }

    func tamperEvents(_ clip: String, in directory: TemporaryDirectory) throws -> [[String: Any]] {
        var options = ClipAnalysisOptions(input: SourceLocation(clip))
        options.eventsOut = directory.file("events.jsonl")
        _ = try ClipAnalysis(options: options).run()
        let text = (try? String(contentsOfFile: directory.file("events.jsonl"), encoding: .utf8)) ?? ""
        return try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            .filter { $0["type"] as? String == "tamper" }
    }

    @Test("blurred, covered and turned: tamper from frame 175 to 275 with the reason", arguments: ["defocused", "covered", "moved"])
    func tampered(reason: String) throws {
        let highway = "\(Self.samples)/highway-cctv.avi", other = "\(Self.samples)/car-overhead.avi"
        try #require(FileManager.default.fileExists(atPath: highway) && FileManager.default.fileExists(atPath: other))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = directory.file("\(reason).mp4")
        let encode = ["-c:v", "libx264", "-crf", "20", clip]
        let stretch = "trim=start_frame=200:end_frame=550,setpts=PTS-STARTPTS"
        switch reason {
        case "defocused": try ffmpeg(["-i", highway, "-vf", "\(stretch),boxblur=enable='between(n,100,199)':luma_radius=6:luma_power=2"] + encode)
        case "covered": try ffmpeg(["-i", highway, "-vf", "\(stretch),drawbox=enable='between(n,100,199)':x=0:y=0:w=iw:h=ih:color=0x202020@1:t=fill"] + encode)
        default:
            try ffmpeg(["-i", highway, "-i", other, "-filter_complex",
                        "[0:v]\(stretch),setsar=1,split[x][y];[x]trim=end_frame=100,setpts=PTS-STARTPTS[a];"
                        + "[1:v]scale=320:240,setsar=1,fps=25,trim=end_frame=100,setpts=PTS-STARTPTS[b];"
                        + "[y]trim=start_frame=200,setpts=PTS-STARTPTS[c];[a][b][c]concat=n=3:v=1:a=0"] + encode)
        }
        let events = try tamperEvents(clip, in: directory)
        #expect(events.map { $0["state"] as? String ?? "" } == ["start", "end"], "\(events)")
        #expect(events.allSatisfy { ($0["data"] as? [String: Any])?["reason"] as? String == reason }, "\(events)")
        if events.count == 2 {
            #expect(abs((events[0]["frame"] as? Int ?? 0) - 175) <= 12 && abs((events[1]["frame"] as? Int ?? 0) - 275) <= 12, "\(events)")
        }
    }

    @Test("the untouched real clips raise no tamper", arguments: ["highway-cctv.avi"])
    func untouched(clip: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        #expect(try tamperEvents("\(Self.samples)/\(clip)", in: directory).isEmpty)
    }
}
