import Foundation
import Testing
import VigilTestSupport

/// `vigil run`, `vigil status` and `vigil validate` as an operator uses them.
@Suite("Fleet", .serialized)
struct FleetTests {
    func fleetConfig(_ directory: TemporaryDirectory, clip: String, metricsPort: Int) throws -> String {
        let path = directory.file("fleet.yaml")
        try """
        queue: { path: queue }
        service: { state_dir: state, metrics: { port: \(metricsPort) }, offline_after: 2, read_timeout: 2 }
        cameras:
          - { id: north, source: \(clip) }
          - { id: south, source: \(clip) }
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func supervised(_ state: String) -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: state + "/supervisor.json") else { return [] }
        return (try? JSONSerialization.jsonObject(with: data) as? [[String: Any]]) ?? []
    }

    @Test("vigil run starts a worker per camera, restarts one killed with SIGKILL, and stops them all on SIGTERM")
    func superviseAndRestart() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: "clip.mp4", width: 320, height: 180, frames: 50)
        let config = try fleetConfig(directory, clip: clip.path, metricsPort: try SilentServer.closedPort())
        let state = directory.file("state")
        let fleet = try VigilProcess(["run", "--config", config, "--realtime", "--loop"], stderrPath: directory.file("run.log"))
        func pid(_ camera: String) -> Int32? { (supervised(state).first { $0["camera"] as? String == camera }?["pid"] as? Int).map(Int32.init) }
        #expect(waitUntil(20) { ["north", "south"].allSatisfy { (workerState(state, camera: $0)?["frames_analysed"] as? Int ?? 0) > 5 } },
                "\(fleet.stderr.suffix(2000))")
        // The two workers did not start at once: their start-ups would share the core. The
        // supervisor spaces them 0.2 s; each line is logged after its `Process.run()`, whose
        // time on a loaded machine eats into that, so 0.1 s (without spacing they are ms apart).
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let starts = fleet.stderr.split(separator: "\n").filter { $0.contains("worker started") && $0.contains(" pid=") }
            .compactMap { line in line.split(separator: " ").first.flatMap { formatter.date(from: String($0)) } }
        try #require(starts.count >= 2, "\(fleet.stderr.suffix(2000))")
        #expect(starts[1].timeIntervalSince(starts[0]) >= 0.1, "\(starts)")
        let victim = try #require(pid("south"))
        kill(victim, SIGKILL)
        #expect(waitUntil(15) { pid("south").map { $0 != victim } == true }, "not restarted: \(fleet.stderr.suffix(2000))")
        #expect(supervised(state).first { $0["camera"] as? String == "south" }?["restarts"] as? Int == 1)
        #expect(waitUntil(15) { (workerState(state, camera: "south")?["pid"] as? Int).map(Int32.init) != victim
                && (workerState(state, camera: "south")?["frames_analysed"] as? Int ?? 0) > 5 })
        let status = try VigilProcess(["status", "--config", config], stderrPath: directory.file("status.err"))
        #expect(status.waitForExit(limit: 30))
        #expect(status.exitStatus == 0)
        let exit = fleet.terminate(limit: 8)
        #expect(exit?.status == 0, "\(fleet.stderr.suffix(2000))")
        for camera in ["north", "south"] {
            #expect(workerState(state, camera: camera)?["state"] as? String == "stopped", "\(camera)")
        }
        #expect(fleet.stderr.contains("worker died"))
    }

    @Test("vigil validate accepts a good config and names every problem in a bad one")
    func validate() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let good = try fleetConfig(directory, clip: "/nonexistent.mp4", metricsPort: 19700)
        let ok = try VigilProcess(["validate", "--config", good], stderrPath: directory.file("ok.err"))
        #expect(ok.waitForExit(limit: 30))
        #expect(ok.exitStatus == 0, "\(ok.stderr)")
        let bad = directory.file("bad.yaml")
        try """
        service: { metrics: { port: 19700 }, log: { format: xml } }
        cameras:
          - { id: a, source: x.mp4, metrics_port: 19701 }
          - { id: b, source: y.mp4, rtsp_transport: carrier-pigeon }
        """.write(toFile: bad, atomically: true, encoding: .utf8)
        let schema = try VigilProcess(["validate", "--config", bad], stderrPath: directory.file("bad.err"))
        #expect(schema.waitForExit(limit: 30))
        #expect(schema.exitStatus == 2)
        #expect(schema.stderr.contains("service.log.format") && schema.stderr.contains("cameras[1].rtsp_transport"), "\(schema.stderr)")
        // Schema-valid, but unusable: no queue, and two cameras on one metrics port.
        try """
        service: { metrics: { port: 19700 } }
        cameras:
          - { id: a, source: x.mp4, metrics_port: 19701 }
          - { id: b, source: y.mp4 }
        """.write(toFile: bad, atomically: true, encoding: .utf8)
        let unusable = try VigilProcess(["validate", "--config", bad, "--probe"], stderrPath: directory.file("unusable.err"))
        #expect(unusable.waitForExit(limit: 60))
        #expect(unusable.exitStatus == 2)
        let text = unusable.stderr
        #expect(text.contains("queue") && text.contains("19701") && text.contains("x.mp4"), "\(text)")
    }
}
