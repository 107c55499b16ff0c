import Foundation
import Testing
import VigilEvents
import VigilTestSupport

/// Live reload: a worker takes a changed configuration without a restart.
@Suite("Live reload", .serialized)
struct ReloadTests {
    func config(_ directory: TemporaryDirectory, source: String, zones: String = "") throws -> String {
        let path = directory.file("vigil.yaml")
        try write(path, """
            # Site config.
            queue: { path: queue }
            service: { state_dir: state, metrics: { port: 0 }, offline_after: 5, read_timeout: 5 }
            cameras:
              - id: cam
                source: \(source)
            \(zones)
            """)
        return path
    }

    func write(_ path: String, _ text: String) throws {
        // As an editor saves: a new file renamed over the old one.
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func events(_ directory: TemporaryDirectory) -> [Event] { queueEvents(directory.file("queue")) }

    @Test("a new intrusion zone applies to the running worker: no reconnect, the model kept; a bad file is refused; SIGHUP reloads")
    func zoneAppliesWithoutRestart() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: "people.mp4", preset: .people, width: 320, height: 180, frames: 200)
        let path = try config(directory, source: clip.path)
        let state = directory.file("state")
        let worker = try VigilProcess(["worker", "--config", path, "--camera", "cam", "--realtime", "--loop"], stderrPath: directory.file("worker.log"))
        defer { _ = worker.terminate() }
        #expect(waitUntil(20) { (workerState(state, camera: "cam")?["frames_analysed"] as? Int ?? 0) > 40 }, "\(worker.stderr.suffix(2000))")
        let firstVersion = try #require(workerState(state, camera: "cam")?["config_version"] as? String)
        #expect(!events(directory).contains { $0.type == .intrusion })

        // The whole picture becomes a watched zone.
        _ = try config(directory, source: clip.path, zones: """
                zones:
                  - id: everywhere
                    polygon: [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]]
                    intrusion: { classes: [person, vehicle, unknown] }
            """)
        #expect(waitUntil(15) { events(directory).contains { $0.type == .intrusion && $0.zone == "everywhere" } },
                "no intrusion after the reload: \(worker.stderr.suffix(2000))")
        let reloaded = try #require(workerState(state, camera: "cam"))
        #expect(reloaded["config_version"] as? String != firstVersion)
        #expect(reloaded["reconnects"] as? Int == 0)
        #expect(worker.stderr.contains("configuration reloaded"))
        #expect(!worker.stderr.contains("starts afresh"), "the motion model must be kept")
        // No storm of motion events from a re-learning model: motion starts stay few.
        let motionStarts = events(directory).filter { $0.type == .motion && $0.state == .start && $0.zone == nil }.count
        #expect(motionStarts <= 3, "\(motionStarts) whole-frame motion starts")
        let secondVersion = reloaded["config_version"] as? String

        // A broken file is refused; the worker goes on with the zone it has.
        try write(path, "cameras:\n  - id: cam\n    source: \(clip.path)\n    zones: [{ id: z, polygon: [[0, 0], [1, 1]] }]\n")
        #expect(waitUntil(10) { worker.stderr.contains("configuration refused") }, "\(worker.stderr.suffix(2000))")
        #expect(workerState(state, camera: "cam")?["config_version"] as? String == secondVersion)
        #expect(workerState(state, camera: "cam")?["state"] as? String == "online")

        // SIGHUP reloads even when the file's time and size say nothing changed.
        try write(path, "cameras:\n  - id: cam\n    source: \(clip.path)\n    tamper: { seconds: 4 }\n")
        #expect(waitUntil(10) { workerState(state, camera: "cam")?["config_version"] as? String != secondVersion })
        let third = workerState(state, camera: "cam")?["config_version"] as? String
        // Rewrite in place with the same size, then put the old times back: the watcher's
        // look at the file sees nothing, so only SIGHUP can bring the change in.
        var before = stat()
        stat(path, &before)
        let text = try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "seconds: 4", with: "seconds: 7")
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.write(Data(text.utf8))
        try handle.close()
        var times = [before.st_atim, before.st_mtim]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        Thread.sleep(forTimeInterval: 2.5)
        #expect(workerState(state, camera: "cam")?["config_version"] as? String == third, "the watcher should not have seen the change")
        kill(worker.pid, SIGHUP)
        #expect(waitUntil(10) { workerState(state, camera: "cam")?["config_version"] as? String != third }, "\(worker.stderr.suffix(1000))")
        #expect(worker.exitStatus == nil, "SIGHUP must not end the worker")
    }

    @Test("a changed source reconnects the camera to the new source")
    func sourceChangeReconnects() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let first = try makeClip(in: directory, name: "first.mp4", preset: .traffic, width: 320, height: 180, frames: 100)
        let second = try makeClip(in: directory, name: "second.mp4", preset: .people, width: 320, height: 180, frames: 100)
        let path = try config(directory, source: first.path)
        let state = directory.file("state")
        let worker = try VigilProcess(["worker", "--config", path, "--camera", "cam", "--realtime", "--loop"], stderrPath: directory.file("worker.log"))
        defer { _ = worker.terminate() }
        #expect(waitUntil(20) { (workerState(state, camera: "cam")?["frames_analysed"] as? Int ?? 0) > 20 }, "\(worker.stderr.suffix(2000))")
        #expect((workerState(state, camera: "cam")?["source"] as? String)?.hasSuffix("first.mp4") == true)
        _ = try config(directory, source: second.path)
        #expect(waitUntil(15) { (workerState(state, camera: "cam")?["source"] as? String)?.hasSuffix("second.mp4") == true },
                "\(worker.stderr.suffix(2000))")
        let before = workerState(state, camera: "cam")?["frames_analysed"] as? Int ?? 0
        #expect(waitUntil(15) { (workerState(state, camera: "cam")?["frames_analysed"] as? Int ?? 0) > before + 20 && workerState(state, camera: "cam")?["state"] as? String == "online" })
        #expect(worker.stderr.contains("reconnecting for the changed source settings"))
    }
}

/// `vigil run` follows its config: added cameras start, removed ones stop, the rest run on.
@Suite("Live reload: the fleet", .serialized)
struct FleetReloadTests {
    @Test("a camera added to the config starts, a removed one stops, the one kept is not restarted")
    func addAndRemoveCameras() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: "clip.mp4", width: 320, height: 180, frames: 100)
        let path = directory.file("fleet.yaml")
        func write(_ cameras: [String]) throws {
            try ("# fleet\nqueue: { path: queue }\nservice: { state_dir: state, metrics: { port: 0 } }\ncameras:\n"
                 + cameras.map { "  - { id: \($0), source: \(clip.path) }\n" }.joined()).write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write(["north"])
        let state = directory.file("state")
        let fleet = try VigilProcess(["run", "--config", path, "--realtime", "--loop"], stderrPath: directory.file("run.log"))
        defer { _ = fleet.terminate(limit: 15) }
        #expect(waitUntil(20) { (workerState(state, camera: "north")?["frames_analysed"] as? Int ?? 0) > 5 }, "\(fleet.stderr.suffix(2000))")
        let northPID = workerState(state, camera: "north")?["pid"] as? Int

        try write(["north", "south"])
        #expect(waitUntil(20) { (workerState(state, camera: "south")?["frames_analysed"] as? Int ?? 0) > 5 }, "\(fleet.stderr.suffix(2000))")
        #expect(workerState(state, camera: "north")?["pid"] as? Int == northPID, "north must run on untouched")

        try write(["south"])
        #expect(waitUntil(20) { workerState(state, camera: "north")?["state"] as? String == "stopped" }, "\(fleet.stderr.suffix(2000))")
        #expect(fleet.stderr.contains("camera removed from the configuration"))
        let southFrames = workerState(state, camera: "south")?["frames_analysed"] as? Int ?? 0
        #expect(waitUntil(10) { (workerState(state, camera: "south")?["frames_analysed"] as? Int ?? 0) > southFrames + 5 })
        #expect(waitUntil(5) {
            guard let data = FileManager.default.contents(atPath: state + "/supervisor.json"),
                  let members = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else { return false }
            return members.compactMap { $0["camera"] as? String } == ["south"]
        })
        #expect(fleet.exitStatus == nil, "vigil run must keep running")
    }
}
