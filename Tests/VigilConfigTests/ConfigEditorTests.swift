import Foundation
import Testing
@testable import VigilConfig

@Suite("Configuration: the editor's text edits")
struct ConfigEditorTests {
    let file = """
        # Hue IOC cameras. Keep this comment.
        queue: { path: queue }   # next to the config
        cameras:
          # The citadel gate: watched at night.
          - id: gate
            name: "Cổng Ngọ Môn"
            source: rtsp://10.0.0.5/stream   # main stream
            zones:
              # old zone
              - id: old
                polygon: [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]]
            analysis: { width: 480 }

          # The bridge, one line.
          - { id: bridge, source: bridge.mp4 }
        # trailing comment
        console: { port: 8080 }
        """

    var zone: LayoutValue {
        .list([.map([.init("id", .string("plaza")), .init("polygon", .list([.list([.number(0.1), .number(0.2)]), .list([.number(0.9), .number(0.2)]),
                                                                          .list([.number(0.9), .number(0.95)]), .list([.number(0.1234567), .number(0.95)])])),
                     .init("intrusion", .map([.init("classes", .list([.string("person")]))]))])])
    }

    @Test func replacesOneCamerasZonesAndKeepsEverythingElse() throws {
        let edited = try ConfigEditor.apply(["zones": zone], to: "gate", in: file)
        let configuration = try ConfigLoader.parse(yaml: edited)
        let gate = try #require(configuration.camera("gate"))
        #expect(gate.zones.map(\.id) == ["plaza"])
        #expect(gate.zones[0].polygon[3].x == 0.123)  // three decimals
        #expect(gate.zones[0].intrusion?.classes == ["person"])
        #expect(gate.analysis.width == 480 && gate.name == "Cổng Ngọ Môn")
        // Every line outside the replaced zones block is as it was, comments included.
        let before = file.components(separatedBy: "\n"), after = edited.components(separatedBy: "\n")
        #expect(Array(after.prefix(7)) == Array(before.prefix(7)))
        #expect(Array(after.suffix(6)) == Array(before.suffix(6)))
        #expect(!edited.contains("old zone") && !edited.contains("id: old"))
        #expect(edited.contains("    analysis: { width: 480 }"))
    }

    @Test func addsLinesAndRemovesZones() throws {
        let line = LayoutValue.list([.map([.init("id", .string("crossing")), .init("from", .list([.number(0.5), .number(0.05)])),
                                           .init("to", .list([.number(0.5), .number(0.98)])),
                                           .init("names", .map([.init("a_to_b", .string("vào")), .init("b_to_a", .string("ra"))]))])])
        let edited = try ConfigEditor.apply(["lines": line, "zones": .list([])], to: "gate", in: file)
        let gate = try #require(try ConfigLoader.parse(yaml: edited).camera("gate"))
        #expect(gate.zones.isEmpty)
        #expect(gate.lines.first?.aToBName == "vào")
        #expect(edited.contains("a_to_b: vào"), "Vietnamese written as itself, not escaped")
        #expect(edited.contains("# The bridge, one line.\n  - { id: bridge, source: bridge.mp4 }"))
        // Read back as the editor shows it.
        let layout = try ConfigEditor.layout(of: "gate", in: edited)
        #expect(layout["zones"] == nil)
        #expect(layout["lines"] == line)
    }

    @Test func aOneLineCameraIsWrittenOutInBlockStyle() throws {
        let edited = try ConfigEditor.apply(["zones": zone], to: "bridge", in: file)
        let configuration = try ConfigLoader.parse(yaml: edited)
        #expect(configuration.camera("bridge")?.zones.map(\.id) == ["plaza"])
        #expect(configuration.camera("bridge")?.source == "bridge.mp4")
        #expect(configuration.camera("gate")?.zones.map(\.id) == ["old"])
        #expect(edited.contains("# trailing comment\nconsole: { port: 8080 }"))
        #expect(edited.hasPrefix(file.components(separatedBy: "\n").prefix(13).joined(separator: "\n")))
    }

    @Test func perspectiveAndGroundAreWrittenAndRead() throws {
        let perspective = LayoutValue.map([.init("near", .map([.init("y", .number(0.92)), .init("person_height", .number(0.3))])),
                                           .init("far", .map([.init("y", .number(0.4)), .init("person_height", .number(0.1))]))])
        let ground = LayoutValue.map([.init("image", .list([.list([.number(0.2), .number(0.9)]), .list([.number(0.8), .number(0.9)]),
                                                            .list([.number(0.6), .number(0.5)]), .list([.number(0.4), .number(0.5)])])),
                                      .init("metres", .list([.list([.number(0), .number(0)]), .list([.number(7), .number(0)]),
                                                             .list([.number(7), .number(30)]), .list([.number(0), .number(30)])]))])
        let edited = try ConfigEditor.apply(["perspective": perspective, "ground": ground], to: "gate", in: file)
        let gate = try #require(try ConfigLoader.parse(yaml: edited).camera("gate"))
        #expect(gate.perspective?.near.personHeight == 0.3 && gate.perspective?.far.y == 0.4)
        #expect(gate.groundMetres?[2].y == 30)
        #expect(try ConfigEditor.layout(of: "gate", in: edited)["perspective"] == perspective)
    }

    @Test func anInvalidEditIsRefusedWithTheField() throws {
        let bad = LayoutValue.list([.map([.init("id", .string("z")), .init("polygon", .list([.list([.number(0), .number(0)]), .list([.number(1), .number(1)])]))])])
        let error = #expect(throws: ConfigError.self) { try ConfigEditor.apply(["zones": bad], to: "gate", in: file) }
        #expect(error?.issues.contains { $0.field.hasPrefix("cameras[0].zones[0].polygon") } == true, "\(String(describing: error))")
        #expect(throws: ConfigEditor.EditError.self) { try ConfigEditor.apply(["source": .string("x")], to: "gate", in: file) }
        #expect(throws: ConfigEditor.EditError.self) { try ConfigEditor.apply(["zones": zone], to: "nosuch", in: file) }
    }

    @Test func saveKeepsABackupAndReplacesAtomically() throws {
        let folder = NSTemporaryDirectory() + "vigil-editor-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/vigil.yaml"
        try file.write(toFile: path, atomically: true, encoding: .utf8)
        let edited = try ConfigEditor.apply(["zones": zone], to: "gate", in: file)
        let backup = try ConfigEditor.save(edited, to: path)
        #expect(try String(contentsOfFile: backup, encoding: .utf8) == file)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == edited)
        #expect(!FileManager.default.fileExists(atPath: path + ".saving"))
        let second = try ConfigEditor.save(file, to: path)
        #expect(second != backup && FileManager.default.fileExists(atPath: second))
    }
}
