import Foundation
import VigilEvents
import VigilTestSupport

/// Runs the built `vigil` executable as operators do (`vigil worker`, `vigil run`) and
/// watches it from outside: its state file, its queue, its memory, its exit.
final class VigilProcess {
    static let executable: String = {
        let me = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: me).deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent("vigil").path
    }()

    let process = Process()
    let stderrPath: String

    init(_ arguments: [String], stderrPath: String, stdoutPath: String? = nil) throws {
        self.stderrPath = stderrPath
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Self.executable)
        process.arguments = arguments
        if let stdoutPath {
            FileManager.default.createFile(atPath: stdoutPath, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        } else {
            process.standardOutput = FileHandle.nullDevice
        }
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

    /// Exit status once the process has ended, nil while it runs. Reads the kernel's view
    /// too: with many processes started at once, Foundation's Process can miss a child's
    /// exit and report it running for ever; a zombie is then reaped here.
    private var reapedStatus: Int32?
    var exitStatus: Int32? {
        if let reapedStatus { return reapedStatus }
        if !process.isRunning { return process.terminationStatus }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" else { return nil }
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == pid else { return process.isRunning ? nil : process.terminationStatus }
        reapedStatus = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return reapedStatus
    }

    /// Waits for the process to end on its own; false (and the process killed) after `limit` seconds.
    func waitForExit(limit: Double) -> Bool {
        let ended = waitUntil(limit) { exitStatus != nil }
        if !ended { kill(pid, SIGKILL); _ = waitUntil(5) { exitStatus != nil } }
        return ended
    }

    /// Sends SIGTERM and returns the exit status and how long the exit took (nil: not within `limit`).
    func terminate(limit: Double = 5) -> (status: Int32, seconds: Double)? {
        let started = Date()
        kill(pid, SIGTERM)
        while exitStatus == nil && Date().timeIntervalSince(started) < limit { usleep(10_000) }
        guard let status = exitStatus else { kill(pid, SIGKILL); _ = waitUntil(5) { exitStatus != nil }; return nil }
        return (status, Date().timeIntervalSince(started))
    }

    deinit { if exitStatus == nil { kill(pid, SIGKILL); _ = waitUntil(5) { exitStatus != nil } } }
}

/// Resident memory of a process in KiB, from /proc.
func residentKiB(_ pid: Int32) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return Int(line.split(separator: " ").dropFirst().first { !$0.isEmpty }.map(String.init) ?? "")
    }
    return nil
}

/// Polls `condition` every 50 ms until it holds or `timeout` passes.
@discardableResult
func waitUntil(_ timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(50_000)
    }
    return condition()
}

/// Every event in a queue, in order.
func queueEvents(_ directory: String) -> [Event] {
    guard let reader = try? QueueReader(directory: directory) else { return [] }
    reader.log = { _ in }
    var events: [Event] = []
    while let record = try? reader.next() { if let event = try? record.event() { events.append(event) } }
    return events
}

func stopProcess(_ process: Process) {
    let pid = process.processIdentifier
    if process.isRunning { kill(pid, SIGKILL) }
    // Not waitUntilExit: see VigilProcess.exitStatus; a zombie Foundation missed is reaped here.
    _ = waitUntil(5) {
        guard process.isRunning else { return true }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        if let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" {
            var status: Int32 = 0
            _ = waitpid(pid, &status, WNOHANG)
            return true
        }
        return false
    }
}

/// A worker's state file as a dictionary (it is JSON for any tool to read).
func workerState(_ stateDirectory: String, camera: String) -> [String: Any]? {
    guard let data = FileManager.default.contents(atPath: "\(stateDirectory)/\(camera).json") else { return nil }
    return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
}

/// Whether something accepts TCP connections on 127.0.0.1:`port` now.
func accepts(port: Int) -> Bool {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}

/// A plain HTTP/1.0 GET on 127.0.0.1: the status code and body, nil if nothing answers.
func fetch(port: Int, path: String) -> (status: Int, body: String)? {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var timeout = timeval(tv_sec: 3, tv_usec: 0)
    setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { return nil }
    let request = Array("GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    guard request.withUnsafeBytes({ send(descriptor, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
    var response: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = recv(descriptor, &chunk, chunk.count, 0)
        if count <= 0 { break }
        response.append(contentsOf: chunk[0..<count])
    }
    let text = String(decoding: response, as: UTF8.self)
    guard let statusLine = text.split(separator: "\r\n").first, let code = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
    let body = text.range(of: "\r\n\r\n").map { String(text[$0.upperBound...]) } ?? ""
    return (code, body)
}

/// A configuration for one camera with fast fault handling, written to `directory`.
func writeConfig(_ directory: TemporaryDirectory, source: String, metricsPort: Int, extraCameraFields: String = "",
                 offlineAfter: Double = 1, readTimeout: Double = 1) throws -> String {
    let path = directory.file("vigil.yaml")
    try """
    queue: { path: queue }
    service:
      state_dir: state
      metrics: { port: \(metricsPort) }
      offline_after: \(offlineAfter)
      read_timeout: \(readTimeout)
      reconnect: { first: 0.1, longest: 0.5 }
    cameras:
      - id: cam
        source: "\(source)"
    \(extraCameraFields.isEmpty ? "" : "    " + extraCameraFields)
    """.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}
