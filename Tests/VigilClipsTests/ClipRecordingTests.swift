import Foundation
import Testing
import VigilClips
import VigilConfig
import VigilEvents
import VigilMedia
import VigilPipeline
import VigilSynth
import VigilTestSupport

/// Event clips end to end: a synthetic camera where a person walks into a watched zone at a
/// known time, analysed by `vigil analyze --clips-out`'s pipeline; the clip is checked with
/// ffprobe and packet for packet against the source.
@Suite("Event clips")
struct ClipRecordingTests {
    static let fps = 25
    /// Keyframes every 2 s (SyntheticClipWriter's GOP).
    static let gop = 2.0

    /// A person walks in from the left, stands in the zone from 10 s to 16 s, and walks out.
    func scene(frames: Int) -> SceneSpec {
        let walker = SceneObject(id: 1, kind: .person, width: 0.04, height: 0.2, intensity: 40,
                                 path: [.init(frame: 0, x: 0.05, y: 0.7), .init(frame: 250, x: 0.8, y: 0.7),
                                        .init(frame: 400, x: 0.8, y: 0.72), .init(frame: 480, x: 0.05, y: 0.72)])
        return SceneSpec(name: "gate", width: 320, height: 180, framesPerSecond: Self.fps, frameCount: frames, seed: 9, objects: [walker])
    }

    let yaml = """
        cameras:
          - id: gate
            source: unused.mp4
            zones:
              - id: yard
                polygon: [[0.62, 0.35], [0.98, 0.35], [0.98, 0.99], [0.62, 0.99]]
                intrusion: { classes: [person] }
                loitering: { seconds: 3 }
            clips: { pre: 5, post: 10 }
        """

    func analyse(_ path: String, clips folder: String, events: String) throws -> (report: ClipReport, events: [Event]) {
        var options = ClipAnalysisOptions(input: SourceLocation(path))
        options.camera = try ConfigLoader.parse(yaml: yaml).cameras[0]
        options.clipsOut = folder
        options.eventsOut = events
        let report = try ClipAnalysis(options: options).run()
        let decoder = JSONDecoder()
        let lines = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n")
        return (report, try lines.map { try decoder.decode(Event.self, from: Data($0.utf8)) })
    }

    /// ffprobe's duration of the file, or nil when it cannot read it.
    func probedDuration(_ path: String) throws -> Double? {
        let probe = try runTool(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", path])
        return probe.status == 0 ? Double(probe.output.trimmingCharacters(in: .whitespacesAndNewlines)) : nil
    }

    /// Where the clip's packets sit in the source: the index of its first packet, after
    /// checking that every one of them is the source's, in order. With `framing`, H.264 in
    /// start-code form (MPEG-TS, RTSP) is compared by its NAL units, which MP4 stores with
    /// length prefixes instead: the coded data, not the container's framing.
    func placeInSource(clip: [PacketReader.Packet], source: [PacketReader.Packet], framing: Bool = false) -> Int? {
        let same: (PacketReader.Packet, PacketReader.Packet) -> Bool = { a, b in
            framing ? Self.nalUnits(a.bytes) == Self.nalUnits(b.bytes) : a.bytes == b.bytes
        }
        guard let first = clip.first, let start = source.firstIndex(where: { same($0, first) }) else { return nil }
        guard start + clip.count <= source.count else { return nil }
        for (offset, packet) in clip.enumerated() where !same(source[start + offset], packet) { return nil }
        return start
    }

    /// An H.264 access unit's NAL units, from start codes or from 4-byte length prefixes.
    static func nalUnits(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var units: [ArraySlice<UInt8>] = []
        if bytes.count > 4 && bytes[0] == 0 && bytes[1] == 0 && (bytes[2] == 1 || (bytes[2] == 0 && bytes[3] == 1)) {
            var starts: [(code: Int, data: Int)] = []
            var index = 0
            while index + 2 < bytes.count {
                if bytes[index] == 0 && bytes[index + 1] == 0 && bytes[index + 2] == 1 {
                    let code = index > 0 && bytes[index - 1] == 0 ? index - 1 : index
                    starts.append((code, index + 3))
                    index += 3
                } else {
                    index += 1
                }
            }
            for (position, start) in starts.enumerated() {
                let end = position + 1 < starts.count ? starts[position + 1].code : bytes.count
                units.append(bytes[start.data..<end])
            }
        } else {
            var index = 0
            while index + 4 <= bytes.count {
                let length = Int(bytes[index]) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
                guard index + 4 + length <= bytes.count else { break }
                units.append(bytes[(index + 4)..<(index + 4 + length)])
                index += 4 + length
            }
        }
        return units
    }

    @Test("an intrusion and a loitering that overlap: one clip from `pre` before to `post` after, the source's packets unchanged")
    func intrusionClip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let source = directory.file("gate.mp4")
        _ = try SyntheticClipWriter.write(scene(frames: 800), to: source)
        let (report, events) = try analyse(source, clips: directory.file("clips"), events: directory.file("events.jsonl"))

        let alarms = events.filter { $0.type == .intrusion || $0.type == .loitering }
        #expect(alarms.map { "\($0.type.rawValue) \($0.state!.rawValue)" }.sorted() == ["intrusion end", "intrusion start", "loitering end", "loitering start"])
        let ready = events.filter { $0.type == .clipReady }
        try #require(ready.count == 1, "\(ready)")
        let clipPath = try #require(ready[0].clip)
        #expect(ready[0].clipState == .ready)
        #expect(report.clips == 1 && report.clipsFailed == 0)
        for alarm in alarms {
            #expect(alarm.clip == clipPath && alarm.clipState == .recording, "\(alarm.type) \(String(describing: alarm.state))")
        }
        guard case let .array(ids)? = ready[0].data?["events"] else { Issue.record("no event ids"); return }
        #expect(Set(ids.compactMap { if case let .string(id) = $0 { id } else { nil } }) == Set(alarms.map(\.id)))
        let files = try FileManager.default.subpathsOfDirectory(atPath: directory.file("clips")).filter { $0.hasSuffix(".mp4") || $0.hasSuffix(".part") }
        #expect(files == [clipPath])

        let file = directory.file("clips/" + clipPath)
        let duration = try #require(try probedDuration(file), "ffprobe cannot read the clip")
        let clip = try PacketReader(path: file).readAll()
        let original = try PacketReader(path: source).readAll()
        let start = try #require(placeInSource(clip: clip, source: original), "the clip's packets are not the source's")
        #expect(clip.first?.isKeyframe == true)

        let began = try #require(alarms.filter { $0.state == .start }.compactMap(\.pts).min())
        let ended = try #require(alarms.filter { $0.state == .end }.compactMap(\.pts).max())
        let firstTime = original[start].time, lastTime = original[start + clip.count - 1].time
        // Starts at the keyframe at or before `pre` seconds ahead: at most one GOP earlier.
        #expect(firstTime <= began - 5 + 0.05 && firstTime >= began - 5 - Self.gop - 0.05, "clip from \(firstTime) s, first alarm at \(began) s")
        #expect(abs(lastTime - (ended + 10)) <= Self.gop, "clip to \(lastTime) s, last end at \(ended) s")
        #expect(abs(duration - (lastTime - firstTime)) <= 0.2, "ffprobe says \(duration) s")
    }

    @Test("a source that ends in the middle of a clip leaves a whole, playable clip that says it was cut short")
    func sourceEndsMidClip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // MPEG-TS, cut at 45 % of its bytes: the stream stops while the person is in the zone.
        let whole = directory.file("gate.ts")
        _ = try SyntheticClipWriter.write(scene(frames: 800), to: whole)
        let cut = directory.file("cut.ts")
        try truncatedCopy(of: whole, fraction: 0.45, to: cut)
        let (_, events) = try analyse(cut, clips: directory.file("clips"), events: directory.file("events.jsonl"))

        let start = try #require(events.first { $0.type == .intrusion && $0.state == .start }, "the intrusion was not seen")
        let ready = try #require(events.first { $0.type == .clipReady })
        #expect(ready.clip == start.clip && ready.clipState == .ready)
        #expect(ready.data?["truncated"] == .bool(true))
        let file = directory.file("clips/" + (ready.clip ?? ""))
        let duration = try #require(try probedDuration(file), "ffprobe cannot read the clip")
        let clip = try PacketReader(path: file).readAll()
        #expect(clip.count > 100)
        #expect(placeInSource(clip: clip, source: try PacketReader(path: cut).readAll(), framing: true) != nil)
        #expect(duration > 5, "\(duration) s")
    }

    @Test("a disk short of room: no clip, the events go out as before, and the clip is reported given up")
    func diskShortOfRoom() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("gate.mp4")
        _ = try SyntheticClipWriter.write(scene(frames: 100), to: path)
        let source = try VideoSource(SourceLocation(path))
        let ring = ClipRecorder.makeRing(pre: 5, megabytes: 8)
        ring.reset(parameters: source.streamParameters())
        source.packetRing = ring
        var options = ClipRecorder.Options(camera: "gate", folder: directory.path, prefix: "clips/",
                                           settings: .init(types: [.intrusion], pre: 5, post: 1))
        // More room than any disk has: as if it were full.
        options.reserveBytes = Int.max / 2
        let recorder = ClipRecorder(options: options, ring: ring)
        var logged: [String] = []
        recorder.log = { logged.append($0) }
        var produced: [Event] = []
        while let frame = try source.nextFrame() {
            var events = frame.index == 50 ? [Event(type: .intrusion, camera: "gate", pts: frame.pts, state: .start, zone: "yard")] : []
            events += recorder.process(&events)
            produced += events
        }
        produced += recorder.finish()
        let alarm = try #require(produced.first { $0.type == .intrusion })
        #expect(alarm.clip == nil && alarm.clipState == nil)
        let ready = try #require(produced.first { $0.type == .clipReady })
        #expect(ready.clipState == .failed)
        guard case let .string(reason)? = ready.data?["reason"] else { Issue.record("no reason"); return }
        #expect(reason.contains("MiB free"), "\(reason)")
        #expect(logged.count == 1 && logged[0].contains("events go on"), "\(logged)")
        let left = (try? FileManager.default.subpathsOfDirectory(atPath: directory.file("clips"))) ?? []
        #expect(left.filter { $0.hasSuffix(".mp4") || $0.hasSuffix(".part") }.isEmpty, "\(left)")
    }
}
