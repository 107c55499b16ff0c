import Foundation
import Testing
import VigilEvents
import VigilTestSupport

/// `vigil worker` against real servers on 127.0.0.1 that are killed and started again.
@Suite("Live worker", .serialized)
struct WorkerTests {
    func count(_ events: [Event], _ type: EventType) -> Int { events.filter { $0.type == type }.count }

    func framesAnalysed(_ state: String) -> Int { workerState(state, camera: "cam")?["frames_analysed"] as? Int ?? 0 }

    /// Waits until the worker analyses new frames: it is connected and working.
    func waitForFrames(_ state: String, beyond count: Int, timeout: Double = 20) -> Bool {
        waitUntil(timeout) { framesAnalysed(state) > count + 5 }
    }

    @Test("an HTTP camera killed and restarted 8 times: one offline and one online per outage, size and codec changes handled, memory flat, SIGTERM exits 0 fast")
    func httpOutages() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Two sizes and two codecs, so the restarted camera also comes back reconfigured.
        let small = try makeClip(in: directory, name: "small.ts", preset: .traffic, width: 320, height: 180, frames: 100)
        let large = try makeClip(in: directory, name: "large.ts", preset: .traffic, width: 480, height: 270, frames: 100, codec: .mpeg4)
        let streamPort = try SilentServer.closedPort(), metricsPort = try SilentServer.closedPort()
        let config = try writeConfig(directory, source: "http://127.0.0.1:\(streamPort)/live.ts", metricsPort: metricsPort)
        let state = directory.file("state"), queue = directory.file("queue")
        func serve(_ clip: String) throws -> Process {
            try startFFmpeg(["-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "mpegts", "-listen", "1", "http://127.0.0.1:\(streamPort)/live.ts"])
        }
        var server = try serve(small.path)
        usleep(300_000)
        let worker = try VigilProcess(["worker", "--config", config, "--camera", "cam"], stderrPath: directory.file("worker.log"))
        #expect(waitForFrames(state, beyond: 0), "no frames: \(worker.stderr)")
        #expect(fetch(port: metricsPort, path: "/healthz")?.status == 200)
        // A slow start (server not yet listening for over the 1 s grace) is an outage of its own.
        let startup = count(queueEvents(queue), .cameraOffline)
        var memory: [Int] = []
        let outages = 8
        for outage in 1...outages {
            stopProcess(server)
            // Unhealthy once frames stop, and offline after the 1 s grace.
            #expect(waitUntil(10) { count(queueEvents(queue), .cameraOffline) == startup + outage }, "outage \(outage): \(worker.stderr.suffix(2000))")
            #expect(fetch(port: metricsPort, path: "/healthz")?.status == 503)
            let before = framesAnalysed(state)
            server = try serve(outage % 2 == 1 ? large.path : small.path)
            #expect(waitForFrames(state, beyond: before), "outage \(outage): no frames after the restart: \(worker.stderr.suffix(2000))")
            #expect(waitUntil(5) { count(queueEvents(queue), .cameraOnline) == startup + outage })
            if let resident = residentKiB(worker.pid) { memory.append(resident) }
        }
        #expect(worker.exitStatus == nil)
        let metrics = fetch(port: metricsPort, path: "/metrics")?.body ?? ""
        #expect(metrics.contains("vigil_source_up{camera=\"cam\"} 1"))
        #expect(metrics.contains("vigil_events_total{camera=\"cam\",type=\"camera_offline\"} \(startup + outages)"), "\(metrics)")
        #expect(metrics.contains("vigil_frames_analysed_total{camera=\"cam\"}"))
        let exit = worker.terminate()
        #expect(exit?.status == 0)
        #expect((exit?.seconds ?? 99) < 2, "SIGTERM took \(exit?.seconds ?? -1) s")
        stopProcess(server)
        let events = queueEvents(queue)
        #expect(count(events, .cameraOffline) == startup + outages && count(events, .cameraOnline) == startup + outages)
        // Offline and online alternate: never two offlines for one outage.
        let transitions = events.filter { $0.type == .cameraOffline || $0.type == .cameraOnline }.map(\.type)
        #expect(transitions == Array(repeating: [EventType.cameraOffline, .cameraOnline], count: startup + outages).flatMap { $0 })
        #expect(workerState(state, camera: "cam")?["state"] as? String == "stopped")
        // After the first outages (FFmpeg's and the decoder's first allocations), memory stays flat.
        if memory.count == outages {
            let growth = memory.last! - memory[2]
            #expect(growth < 4096, "RSS grew \(growth) KiB over \(outages - 3) reconnects: \(memory)")
        }
    }

    /// The RTSP servers a camera may be: rtsp-server-perl (UDP only, answers a TCP setup with
    /// 400) fed by ffmpeg, and GStreamer's RTSP server offering TCP only or UDP only.
    enum RTSPServerKind: String, CaseIterable, CustomTestStringConvertible {
        case perlUDPOnly = "rtsp-server-perl (UDP only)"
        case gstreamerTCP = "GStreamer, TCP only"
        case gstreamerUDP = "GStreamer, UDP only"
        var testDescription: String { rawValue }
        /// The transport the default `auto` must end on.
        var expectedTransport: String { self == .gstreamerTCP ? "tcp" : "udp" }
    }

    @Test("an RTSP camera with the default transport comes back after its server is killed, three times", arguments: RTSPServerKind.allCases)
    func rtspOutages(kind: RTSPServerKind) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: "clip.ts", preset: .traffic, width: 320, height: 180, frames: 100)
        let clientPort = try SilentServer.closedPort(), sourcePort = try SilentServer.closedPort(), metricsPort = try SilentServer.closedPort()
        // No rtsp_transport: the default (auto) must find the transport each server offers.
        let config = try writeConfig(directory, source: "rtsp://127.0.0.1:\(clientPort)/cam", metricsPort: metricsPort,
                                     offlineAfter: 1.5, readTimeout: 2)
        let state = directory.file("state"), queue = directory.file("queue")
        func startServer() throws -> [Process] {
            let server = Process()
            switch kind {
            case .perlUDPOnly:
                server.executableURL = URL(fileURLWithPath: "/usr/bin/rtsp-server-perl")
                server.arguments = ["--clientport", "\(clientPort)", "--serverport", "\(sourcePort)",
                                    "--client_listen_address", "127.0.0.1", "--source_listen_address", "127.0.0.1", "--loglevel", "0"]
            case .gstreamerTCP, .gstreamerUDP:
                // Debian's python3-gi belongs to Debian's python3, not to another python on the PATH.
                server.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
                server.arguments = [repositoryRoot + "/Tests/servers/gst_rtsp_server.py", "--port", "\(clientPort)",
                                    "--protocols", kind == .gstreamerTCP ? "tcp" : "udp"]
            }
            server.standardOutput = FileHandle.nullDevice
            server.standardError = FileHandle.nullDevice
            try server.run()
            // A fixed pause was not always enough with the whole suite loading both cores: the
            // pusher found no server, gave up, and the stream was never published (404 for
            // good). Wait until the server listens where the next step connects.
            #expect(waitUntil(15) { accepts(port: kind == .perlUDPOnly ? sourcePort : clientPort) }, "the RTSP server did not start listening")
            guard kind == .perlUDPOnly else { return [server] }
            let pusher = try startFFmpeg(["-re", "-stream_loop", "-1", "-i", clip.path, "-c", "copy", "-f", "rtsp", "rtsp://127.0.0.1:\(sourcePort)/cam"])
            return [pusher, server]
        }
        var running = try startServer()
        let worker = try VigilProcess(["worker", "--config", config, "--camera", "cam"], stderrPath: directory.file("worker.log"))
        #expect(waitForFrames(state, beyond: 0, timeout: 30), "no frames over RTSP: \(worker.stderr.suffix(2000))")
        // If the worker asked before the stream was published (404 for over 1.5 s),
        // start-up was an outage of its own; count the outages the test makes from here.
        let startup = (offline: count(queueEvents(queue), .cameraOffline), online: count(queueEvents(queue), .cameraOnline))
        #expect(startup.offline == startup.online)
        for outage in 1...3 {
            running.forEach(stopProcess)
            #expect(waitUntil(15) { count(queueEvents(queue), .cameraOffline) == startup.offline + outage }, "\(worker.stderr.suffix(2000))")
            let before = framesAnalysed(state)
            running = try startServer()
            #expect(waitForFrames(state, beyond: before, timeout: 30), "outage \(outage): \(worker.stderr.suffix(2000))")
            #expect(waitUntil(5) { count(queueEvents(queue), .cameraOnline) == startup.online + outage },
                    "outage \(outage): \(queueEvents(queue).filter { $0.type == .cameraOffline || $0.type == .cameraOnline }.map(\.type.rawValue)) \(worker.stderr.suffix(3000))")
        }
        #expect(worker.terminate()?.status == 0)
        running.forEach(stopProcess)
        let events = queueEvents(queue)
        #expect(count(events, .cameraOffline) == startup.offline + 3 && count(events, .cameraOnline) == startup.online + 3)
        // The transport it settled on is in the log, and a fallback says why.
        let log = worker.stderr
        #expect(log.contains("rtsp_transport=\(kind.expectedTransport)"), "\(log.suffix(2000))")
        if kind.expectedTransport == "udp" { #expect(log.contains("the server refused RTSP over TCP"), "\(log.suffix(2000))") }
    }

    @Test("a UDP camera whose sender stops and starts again: offline once, online once, per gap, and no false motion on reconnect")
    func udpOutages() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Nothing moves in this scene (only the light changes): any motion event would be a false one.
        let clip = try makeClip(in: directory, name: "clip.ts", preset: .lights, width: 320, height: 180, frames: 100)
        let port = try SilentServer.closedPort(), metricsPort = try SilentServer.closedPort()
        let config = try writeConfig(directory, source: "udp://127.0.0.1:\(port)", metricsPort: metricsPort)
        let state = directory.file("state"), queue = directory.file("queue")
        func send() throws -> Process {
            try startFFmpeg(["-re", "-stream_loop", "-1", "-i", clip.path, "-c", "copy", "-f", "mpegts", "udp://127.0.0.1:\(port)?pkt_size=1316"])
        }
        let worker = try VigilProcess(["worker", "--config", config, "--camera", "cam"], stderrPath: directory.file("worker.log"))
        var sender = try send()
        #expect(waitForFrames(state, beyond: 0), "\(worker.stderr.suffix(2000))")
        // The worker listens before the sender starts; a slow sender start is an outage of its own.
        let startup = count(queueEvents(queue), .cameraOffline)
        for outage in 1...3 {
            stopProcess(sender)
            #expect(waitUntil(10) { count(queueEvents(queue), .cameraOffline) == startup + outage }, "\(worker.stderr.suffix(2000))")
            let before = framesAnalysed(state)
            sender = try send()
            #expect(waitForFrames(state, beyond: before), "\(worker.stderr.suffix(2000))")
            #expect(waitUntil(5) { count(queueEvents(queue), .cameraOnline) == startup + outage })
        }
        #expect(worker.terminate()?.status == 0)
        stopProcess(sender)
        let motion = queueEvents(queue).filter { $0.type == .motion }
        #expect(motion.isEmpty, "false motion after reconnects: \(motion.map { "\($0.frame ?? -1) \($0.state?.rawValue ?? "")" })")
    }

    @Test("a stream whose picture size changes mid-stream is analysed on both sides of the change")
    func sizeChangeMidStream() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let small = try makeClip(in: directory, name: "small.ts", width: 320, height: 180, frames: 50)
        let large = try makeClip(in: directory, name: "large.ts", width: 640, height: 480, frames: 50)
        // MPEG-TS concatenates: one stream whose size (and aspect ratio) changes at frame 50.
        let joined = directory.file("joined.ts")
        try (Data(contentsOf: URL(fileURLWithPath: small.path)) + Data(contentsOf: URL(fileURLWithPath: large.path))).write(to: URL(fileURLWithPath: joined))
        let config = try writeConfig(directory, source: joined, metricsPort: 0)
        let worker = try VigilProcess(["worker", "--config", config, "--camera", "cam"], stderrPath: directory.file("worker.log"))
        #expect(worker.waitForExit(limit: 120), "the worker did not finish the file: \(worker.stderr.suffix(2000))")
        #expect(worker.exitStatus == 0, "\(worker.stderr)")
        let final = try #require(workerState(directory.file("state"), camera: "cam"))
        #expect(final["frames_analysed"] as? Int == 100)
        #expect(final["state"] as? String == "finished")
    }

    @Test("a server that accepts and never sends: one offline event, unhealthy, and SIGTERM still exits 0 within 2 s")
    func silentServer() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let silent = try SilentServer()
        let metricsPort = try SilentServer.closedPort()
        let config = try writeConfig(directory, source: "http://127.0.0.1:\(silent.port)/live.ts", metricsPort: metricsPort)
        let queue = directory.file("queue")
        let worker = try VigilProcess(["worker", "--config", config, "--camera", "cam", "--log-format", "json"], stderrPath: directory.file("worker.log"))
        #expect(waitUntil(10) { count(queueEvents(queue), .cameraOffline) == 1 })
        // Several more timed-out attempts: still one offline event for the one outage.
        usleep(3_000_000)
        #expect(count(queueEvents(queue), .cameraOffline) == 1)
        #expect(fetch(port: metricsPort, path: "/healthz")?.status == 503)
        let exit = worker.terminate()
        #expect(exit?.status == 0)
        #expect((exit?.seconds ?? 99) < 2, "SIGTERM took \(exit?.seconds ?? -1) s while a read was blocked")
        // --log-format json: every line one object with time, level, message and the camera.
        let lines = worker.stderr.split(separator: "\n")
        #expect(lines.count >= 3)
        for line in lines {
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] != nil && object?["message"] != nil && object?["camera"] as? String == "cam", "\(line)")
        }
    }

    @Test("a server that sends garbage: no crash, offline once, a few log lines (not one per broken packet), and no credentials anywhere")
    func garbageAndCredentials() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let garbage = try GarbageServer()
        let metricsPort = try SilentServer.closedPort()
        let config = try writeConfig(directory, source: "http://operator:s3cret-pass@127.0.0.1:\(garbage.port)/live.ts?channel=1&token=t0ken-VALUE&Signature=s1gned", metricsPort: metricsPort)
        let queue = directory.file("queue"), state = directory.file("state")
        let worker = try VigilProcess(["worker", "--config", config, "--camera", "cam"], stderrPath: directory.file("worker.log"))
        #expect(waitUntil(10) { count(queueEvents(queue), .cameraOffline) == 1 })
        usleep(4_000_000)
        #expect(worker.exitStatus == nil, "the worker died on garbage: \(worker.stderr.suffix(2000))")
        #expect(count(queueEvents(queue), .cameraOffline) == 1)
        let metrics = fetch(port: metricsPort, path: "/metrics")?.body ?? ""
        let status = try String(contentsOfFile: "\(state)/cam.json", encoding: .utf8)
        let statusCommand = try VigilProcess(["status", "--config", config], stderrPath: directory.file("status.log"),
                                             stdoutPath: directory.file("status.out"))
        #expect(statusCommand.waitForExit(limit: 30))
        let statusOutput = try String(contentsOfFile: directory.file("status.out"), encoding: .utf8)
        #expect(statusOutput.contains("***@127.0.0.1"), "\(statusOutput)")
        #expect(statusOutput.contains("channel=1&token=***&Signature=***"), "\(statusOutput)")
        #expect(worker.terminate()?.status == 0)
        let log = worker.stderr
        let lines = log.split(separator: "\n")
        #expect(lines.count < 40, "\(lines.count) log lines in ~6 s of garbage:\n\(log.suffix(3000))")
        let events = try String(contentsOfFile: "\(queue)/" + (FileManager.default.contentsOfDirectory(atPath: queue).first { $0.hasSuffix(".jsonl") } ?? ""), encoding: .utf8)
        for (name, text) in [("log", log), ("metrics", metrics), ("state file", status), ("events", events), ("vigil status", statusOutput)] {
            #expect(!text.contains("s3cret"), "the password appears in the \(name)")
            #expect(!text.contains("t0ken-VALUE") && !text.contains("s1gned"), "a token in the query string appears in the \(name)")
        }
        #expect(log.contains("***@127.0.0.1") || !log.contains("operator"), "\(log.prefix(1000))")
    }

    @Test("a file camera analysed faster than it is read drops frames, counted, and keeps latency bounded")
    func dropsWhenBehind() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // 250 frames per second at 960 pixels analysis width: far more than a debug build analyses.
        let clip = try makeClip(in: directory, name: "fast.mp4", preset: .mixed, width: 960, height: 540, frames: 250, fps: 250)
        let metricsPort = try SilentServer.closedPort()
        let config = try writeConfig(directory, source: clip.path, metricsPort: metricsPort, extraCameraFields: "analysis: { width: 960 }")
        let state = directory.file("state")
        let worker = try VigilProcess(["worker", "--config", config, "--camera", "cam", "--realtime", "--buffer", "3"], stderrPath: directory.file("worker.log"))
        #expect(worker.waitForExit(limit: 120), "the worker did not finish the file: \(worker.stderr.suffix(2000))")
        #expect(worker.exitStatus == 0, "\(worker.stderr.suffix(2000))")
        let final = try #require(workerState(state, camera: "cam"))
        let decoded = final["frames_decoded"] as? Int ?? 0, analysed = final["frames_analysed"] as? Int ?? 0, dropped = final["frames_dropped"] as? Int ?? 0
        #expect(final["state"] as? String == "finished")
        #expect(decoded == 250)
        #expect(dropped > 0, "analysis kept up with 250 fps at 960 wide; the test needs a slower analysis")
        #expect(analysed + dropped == decoded, "analysed \(analysed) + dropped \(dropped) != decoded \(decoded)")
    }
}
