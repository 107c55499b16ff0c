import Foundation
import Testing
@testable import VigilConfig

/// Broken and odd configuration files, as an outside tester made them.
@Suite("Configuration: broken files")
struct ConfigFaultTests {
    func issues(_ yaml: String) -> [ConfigIssue] { ConfigTests().issues(yaml) }

    func load(bytes: [UInt8]) throws -> Result<VigilConfiguration, ConfigError> {
        let path = NSTemporaryDirectory() + "vigil-config-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do { return .success(try ConfigLoader.load(path: path)) } catch let error as ConfigError { return .failure(error) }
    }

    static let camera = "cameras:\n  - id: gate\n    source: clip.mp4\n"

    @Test("a UTF-8 byte-order mark is accepted, in a file and in text")
    func byteOrderMark() throws {
        guard case let .success(configuration) = try load(bytes: [0xEF, 0xBB, 0xBF] + Array(Self.camera.utf8)) else {
            Issue.record("a file with a BOM was refused"); return
        }
        #expect(configuration.cameras.map(\.id) == ["gate"])
        #expect(issues("\u{FEFF}" + Self.camera).isEmpty)
    }

    @Test("invalid UTF-8 is refused at its line and column, never turned into replacement characters")
    func invalidUTF8() throws {
        var bytes = Array((Self.camera + "    zones:\n      - id: pla").utf8)
        bytes += [0xC3, 0x28]  // a lead byte followed by ASCII
        bytes += Array("za\n        polygon: [[0,0],[1,0],[1,1]]\n".utf8)
        guard case let .failure(error) = try load(bytes: bytes) else { Issue.record("invalid UTF-8 accepted"); return }
        #expect(error.issues.count == 1)
        #expect(error.issues[0].line == 5 && error.issues[0].column == 16, "\(error)")
        #expect(error.issues[0].message.contains("not valid UTF-8") && error.issues[0].message.contains("0xC3"))
    }

    @Test("a polygon whose edges cross is refused with its field and line")
    func selfIntersecting() {
        let yaml = Self.camera + "    zones:\n      - id: bowtie\n        polygon: [[0.1,0.1],[0.9,0.9],[0.9,0.1],[0.1,0.9]]\n"
        let found = issues(yaml)
        #expect(found.count == 1)
        #expect(found.first?.field == "cameras[0].zones[0].polygon")
        #expect(found.first?.line == 6)
        #expect(found.first?.message.contains("edges cross") == true)
        // The same four points in order around the area are a valid zone.
        #expect(issues(Self.camera + "    zones:\n      - id: square\n        polygon: [[0.1,0.1],[0.9,0.1],[0.9,0.9],[0.1,0.9]]\n").isEmpty)
        // A concave polygon is not self-intersecting.
        #expect(issues(Self.camera + "    zones:\n      - id: l\n        polygon: [[0,0],[1,0],[1,0.5],[0.5,0.5],[0.5,1],[0,1]]\n").isEmpty)
    }

    @Test("reading many zones is linear in their number, and a camera takes a bounded number")
    func manyZones() {
        func yaml(_ count: Int) -> String {
            var text = Self.camera + "    zones:\n"
            for index in 0..<count { text += "      - { id: z\(index), polygon: [[0,0],[1,0],[1,1]] }\n" }
            return text
        }
        #expect(issues(yaml(NodeReader.mostZones)).isEmpty)
        let tooMany = issues(yaml(NodeReader.mostZones + 1))
        #expect(tooMany.count == 1 && tooMany[0].field == "cameras[0].zones" && tooMany[0].message.contains("at most"))
        // 4,000 zones: far too many, refused; and before the fix (duplicate ids looked up in a
        // list) the time grew with the square of the count.
        let clock = ContinuousClock()
        let small = clock.measure { _ = issues(yaml(1_000)) }
        let large = clock.measure { _ = issues(yaml(8_000)) }
        #expect(large < small * 16, "1,000 zones \(small), 8,000 zones \(large)")
    }

    @Test("a file larger than a configuration can be is refused before parsing")
    func hugeFile() throws {
        let filler = "# " + String(repeating: "x", count: 1000) + "\n"
        let text = Self.camera + String(repeating: filler, count: (ConfigLoader.largestFile / filler.utf8.count) + 10)
        guard case let .failure(error) = try load(bytes: Array(text.utf8)) else { Issue.record("accepted"); return }
        #expect(error.issues[0].message.contains("at most 4 MiB"), "\(error)")
    }
}
