import Foundation
import Testing
import VigilTestSupport

/// One configuration, read the same way by every command: each relative path (source,
/// models, queue, state) is relative to the config file, whatever the working directory.
@Suite("vigil: relative paths in a config")
struct ConfigPathCLITests {
    func vigil(_ arguments: [String], in directory: String) throws -> CLITests.Run { try CLITests.run(arguments, in: directory) }

    @Test("analyze, validate, worker and run find the same clip, model, queue and state from another folder")
    func everyCommandResolvesTheSameWay() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let site = directory.file("site")
        try FileManager.default.createDirectory(atPath: site + "/clips", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: site + "/models", withIntermediateDirectories: true)
        let clip = try makeClip(in: directory, name: "clip.mp4", frames: 30)
        try FileManager.default.moveItem(atPath: clip.path, toPath: site + "/clips/clip.mp4")
        try FileManager.default.copyItem(atPath: CLITests.repository + "/Models/classes.json", toPath: site + "/models/classes.json")
        try """
            queue: { path: queue }
            service: { state_dir: state, metrics: { port: 0 } }
            cameras:
              - id: cam
                source: clips/clip.mp4
                classes_model: models/classes.json
            """.write(toFile: site + "/vigil.yaml", atomically: true, encoding: .utf8)

        // From the folder above, with a relative config path.
        let validate = try vigil(["validate", "--config", "site/vigil.yaml", "--probe"], in: directory.path)
        #expect(validate.status == 0, "\(validate.stderr)")
        let analyze = try vigil(["analyze", "--config", "site/vigil.yaml", "--camera", "cam"], in: directory.path)
        #expect(analyze.status == 0, "\(analyze.stderr)")
        #expect(analyze.stdout.contains("analysed 30 of 30"), "\(analyze.stdout)")
        let worker = try vigil(["worker", "--config", "site/vigil.yaml", "--camera", "cam"], in: directory.path)
        #expect(worker.status == 0, "\(worker.stderr)")
        #expect(FileManager.default.fileExists(atPath: site + "/state/cam.json"))
        #expect(FileManager.default.fileExists(atPath: site + "/queue"))
        // From a folder that has nothing to do with the config, with an absolute path.
        let run = try vigil(["run", "--config", site + "/vigil.yaml"], in: "/")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("worker finished"), "\(run.stderr)")
        let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: site + "/state/cam.json"))) as? [String: Any]
        #expect(state?["state"] as? String == "finished")
        #expect(state?["frames_analysed"] as? Int == 30)
    }
}
