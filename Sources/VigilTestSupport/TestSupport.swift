import Foundation
import VigilMedia
import VigilPipeline
import VigilSynth

/// A fresh folder under the system's temporary directory, removed by `remove()`.
public struct TemporaryDirectory: Sendable {
    public let path: String

    public init(_ label: String = "vigil") throws {
        let base = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base
    }

    public func file(_ name: String) -> String { path + "/" + name }

    public func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Renders a small synthetic clip for a test and returns its path and spec.
public func makeClip(in directory: TemporaryDirectory, name: String = "clip.mp4", preset: ScenePreset = .traffic,
                     width: Int = 320, height: Int = 180, frames: Int = 50, fps: Int = 25, seed: UInt64 = 3,
                     codec: VideoWriter.Codec = .h264, truth: Bool = false,
                     containerOptions: [String: String] = [:]) throws -> (path: String, spec: SceneSpec) {
    let spec = SceneSpec.preset(preset, width: width, height: height, framesPerSecond: fps, frameCount: frames, seed: seed)
    let path = directory.file(name)
    _ = try SyntheticClipWriter.write(spec, to: path, truthDirectory: truth ? directory.file(name + ".truth") : nil,
                                      preference: [codec], containerOptions: containerOptions)
    return (path, spec)
}

/// Cuts a file to its first `fraction` of bytes, the way a crashed recorder leaves it.
public func truncatedCopy(of path: String, fraction: Double, to destination: String) throws {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    try data.prefix(Int(Double(data.count) * fraction)).write(to: URL(fileURLWithPath: destination))
}

/// Starts the ffmpeg tool quietly (a stream server or sender for network tests).
public func startFFmpeg(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["ffmpeg", "-nostdin", "-v", "error"] + arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// Runs a tool (ffprobe, ffmpeg) to its end: its exit status and what it printed on stdout.
public func runTool(_ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, text)
}

/// The checkout's root folder, found from this source file's path (tests run from anywhere).
public let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()
