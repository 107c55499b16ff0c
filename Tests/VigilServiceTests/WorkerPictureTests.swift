import Foundation
import Testing
import VigilEvents
import VigilTestSupport

/// What a worker leaves for the console: the live picture, event snapshots and the heatmap.
@Suite("Worker pictures for the console")
struct WorkerPictureTests {
    /// Width and height from a baseline JPEG's SOF0 segment.
    static func jpegSize(_ bytes: [UInt8]) -> (width: Int, height: Int)? {
        guard bytes.starts(with: [0xFF, 0xD8]) else { return nil }
        var index = 2
        while index + 9 < bytes.count {
            guard bytes[index] == 0xFF else { return nil }
            let marker = bytes[index + 1]
            let length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            if marker == 0xC0 || marker == 0xC1 {
                return (Int(bytes[index + 7]) << 8 | Int(bytes[index + 8]), Int(bytes[index + 5]) << 8 | Int(bytes[index + 6]))
            }
            index += 2 + length
        }
        return nil
    }

    @Test("a worker writes a live picture at most 960 wide, a full-size colour snapshot per counted crossing, and a heatmap")
    func livePictureSnapshotsAndHeatmap() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let clip = try makeClip(in: directory, name: "clip.mp4", preset: .traffic, width: 1280, height: 720, frames: 150)
        let config = try writeConfig(directory, source: clip.path, metricsPort: 0, extraCameraFields: """
            lines: [{ id: middle, from: [0.5, 0.02], to: [0.5, 0.98], names: { a_to_b: east, b_to_a: west } }]
            """)
        let worker = try VigilProcess(["worker", "--config", config, "--camera", "cam"], stderrPath: directory.file("worker.log"))
        #expect(worker.waitForExit(limit: 120), "the worker did not finish the file: \(worker.stderr.suffix(2000))")
        #expect(worker.exitStatus == 0, "\(worker.stderr)")

        let picture = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.file("state/cam.jpg"))))
        let size = try #require(Self.jpegSize(picture))
        #expect(size.width == 960 && size.height == 540, "\(size)")
        #expect(workerState(directory.file("state"), camera: "cam")?["picture"] as? String == "cam.jpg")

        let crossings = queueEvents(directory.file("queue")).filter { $0.type == .lineCrossing }
        #expect(!crossings.isEmpty, "the traffic clip should cross the line")
        // The first crossings fit the per-second budget, so each has its snapshot.
        let first = try #require(crossings.first)
        let snapshot = try #require(first.snapshot)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.file("queue/" + snapshot))))
        let snapshotSize = try #require(Self.jpegSize(bytes))
        #expect(snapshotSize.width == 1280 && snapshotSize.height == 720)
        // Every snapshot an event names exists.
        for event in queueEvents(directory.file("queue")) {
            if let path = event.snapshot { #expect(FileManager.default.fileExists(atPath: directory.file("queue/" + path)), "\(path)") }
        }
        let heatmap = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.file("state/cam-heatmap.png"))))
        #expect(heatmap.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}
