import Foundation
import Testing
import VigilEvents
import VigilMedia
import VigilPipeline
import VigilSynth
import VigilTestSupport

/// A worker with `clips:` files a clip of each alarm under the queue folder, next to the
/// snapshots, and says so on the events.
@Suite("Worker event clips")
struct WorkerClipTests {
    @Test("a worker records the intrusion's clip under queue/clips, names it on the events, and reports it ready")
    func workerClip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let walker = SceneObject(id: 1, kind: .person, width: 0.04, height: 0.2, intensity: 40,
                                 path: [.init(frame: 0, x: 0.05, y: 0.7), .init(frame: 200, x: 0.8, y: 0.7),
                                        .init(frame: 300, x: 0.8, y: 0.72), .init(frame: 380, x: 0.05, y: 0.72)])
        let spec = SceneSpec(name: "gate", width: 320, height: 180, frameCount: 600, seed: 9, objects: [walker])
        let source = directory.file("gate.mp4")
        _ = try SyntheticClipWriter.write(spec, to: source)
        let config = try writeConfig(directory, source: source, metricsPort: 0, extraCameraFields: """
            zones: [{ id: yard, polygon: [[0.62, 0.35], [0.98, 0.35], [0.98, 0.99], [0.62, 0.99]], intrusion: { classes: [person] } }]
                clips: { pre: 3, post: 4 }
            """)
        let worker = try VigilProcess(["worker", "--config", config, "--camera", "cam"], stderrPath: directory.file("worker.log"))
        #expect(worker.waitForExit(limit: 120), "the worker did not finish the file: \(worker.stderr.suffix(2000))")
        #expect(worker.exitStatus == 0, "\(worker.stderr)")

        let events = queueEvents(directory.file("queue"))
        let start = try #require(events.first { $0.type == .intrusion && $0.state == .start }, "no intrusion: \(events.map(\.type))")
        let path = try #require(start.clip)
        #expect(path.hasPrefix("clips/") && path.hasSuffix(".mp4"), "\(path)")
        #expect(start.clipState == .recording)
        let ready = try #require(events.first { $0.type == .clipReady })
        #expect(ready.clip == path && ready.clipState == .ready, "\(ready)")
        // The alarm has its snapshot; the clip's own event needs none.
        #expect(start.snapshot != nil && ready.snapshot == nil)
        #expect(events.firstIndex { $0.type == .clipReady }! > events.firstIndex { $0.id == start.id }!)
        let clip = try PacketReader(path: directory.file("queue/" + path)).readAll()
        let original = try PacketReader(path: source).readAll()
        let first = try #require(original.firstIndex { $0.bytes == clip.first?.bytes })
        #expect(clip.count > 100 && first + clip.count <= original.count)
        #expect(zip(clip, original[first...]).allSatisfy { $0.bytes == $1.bytes }, "the clip's packets differ from the camera's")
        #expect(original[first].time <= (start.pts ?? 0) - 3 + 0.05)
    }

    @Test("a dual-stream camera: analysis decodes the small stream, the clip holds the main stream's packets, unchanged")
    func dualStreamClip() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // One scene, as a camera's sub-stream (320×180) and main stream (640×360).
        let walker = SceneObject(id: 1, kind: .person, width: 0.04, height: 0.2, intensity: 40,
                                 path: [.init(frame: 0, x: 0.05, y: 0.7), .init(frame: 100, x: 0.8, y: 0.7),
                                        .init(frame: 150, x: 0.8, y: 0.72), .init(frame: 200, x: 0.05, y: 0.72)])
        let sub = directory.file("sub.mp4"), main = directory.file("main.mp4")
        _ = try SyntheticClipWriter.write(SceneSpec(name: "sub", width: 320, height: 180, frameCount: 300, seed: 9, objects: [walker]), to: sub)
        _ = try SyntheticClipWriter.write(SceneSpec(name: "main", width: 640, height: 360, frameCount: 300, seed: 9, objects: [walker]), to: main)
        let path = directory.file("vigil.yaml")
        try """
            queue: { path: queue }
            service: { state_dir: state, metrics: { port: 0 } }
            cameras:
              - id: cam
                source: { analysis: sub.mp4, record: main.mp4 }
                zones: [{ id: yard, polygon: [[0.62, 0.35], [0.98, 0.35], [0.98, 0.99], [0.62, 0.99]], intrusion: { classes: [person] } }]
                clips: { pre: 2, post: 1 }
            """.write(toFile: path, atomically: true, encoding: .utf8)
        // --realtime: both streams arrive at their own pace, as from a camera.
        let worker = try VigilProcess(["worker", "--config", path, "--camera", "cam", "--realtime"], stderrPath: directory.file("worker.log"))
        #expect(worker.waitForExit(limit: 60), "the worker did not finish: \(worker.stderr.suffix(2000))")
        #expect(worker.exitStatus == 0, "\(worker.stderr)")

        let events = queueEvents(directory.file("queue"))
        let start = try #require(events.first { $0.type == .intrusion && $0.state == .start }, "no intrusion: \(events.map(\.type))")
        let ready = try #require(events.first { $0.type == .clipReady }, "no clip_ready: \(worker.stderr.suffix(2000))")
        #expect(ready.clipState == .ready && ready.clip == start.clip, "\(ready)")
        let file = directory.file("queue/" + (ready.clip ?? ""))
        #expect(try VideoSource(SourceLocation(file)).info.width == 640, "the clip is not the main stream")
        let clip = try PacketReader(path: file).readAll()
        let original = try PacketReader(path: main).readAll()
        let first = try #require(original.firstIndex { $0.bytes == clip.first?.bytes }, "the clip's packets are not the main stream's")
        #expect(clip.count > 50 && first + clip.count <= original.count)
        #expect(zip(clip, original[first...]).allSatisfy { $0.bytes == $1.bytes })
        // The two streams are paired by arrival: the clip starts about `pre` (up to a GOP more) before the intrusion.
        let began = try #require(start.pts)
        #expect(original[first].time <= began - 2 + 0.5 && original[first].time >= began - 2 - 2 - 0.5,
                "clip from \(original[first].time) s of the main stream, intrusion at \(began) s")
    }
}
