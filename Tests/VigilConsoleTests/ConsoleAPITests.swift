import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import VigilConfig
import VigilEvents
@testable import VigilConsole

/// The HTTP API, through Hummingbird's in-process test client: auth rules, acknowledgements
/// in the queue, filters, CSV, headers and traversal.
@Suite("Console: HTTP API")
struct ConsoleAPITests {
    struct Fixture {
        let folder: String
        let server: ConsoleServer
        let writer: QueueWriter

        init(users: Bool) throws {
            folder = NSTemporaryDirectory() + "vigil-console-api-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: folder + "/queue/snapshots/2026-12-02", withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: folder + "/state", withIntermediateDirectories: true)
            try Data([0xFF, 0xD8, 0xFF, 0xD9]).write(to: URL(fileURLWithPath: folder + "/queue/snapshots/2026-12-02/abc.jpg"))
            try "secret".write(toFile: folder + "/secret.txt", atomically: true, encoding: .utf8)
            var yaml = """
                queue: { path: queue }
                service: { state_dir: state }
                console: { port: 8080\(users ? ", users_file: users.yaml" : "") }
                cameras:
                  - { id: gate, name: "Cổng Ngọ Môn", group: "Đại Nội", source: "rtsp://admin:hunter2@10.0.0.5/stream" }
                  - { id: street, source: street.mp4 }
                """
            yaml += "\n"
            try yaml.write(toFile: folder + "/vigil.yaml", atomically: true, encoding: .utf8)
            if users {
                try UserDirectory.setUser(path: folder + "/users.yaml", name: "lan", role: .operator, password: "operator-pass")
                try UserDirectory.setUser(path: folder + "/users.yaml", name: "minh", role: .viewer, password: "viewer-pass")
            }
            let configuration = try ConfigLoader.load(path: folder + "/vigil.yaml")
            server = try ConsoleServer(options: try ConsoleOptions(configuration: configuration), logger: Logger(label: "test"))
            writer = try QueueWriter(directory: folder + "/queue")
        }

        /// Indexes what the queue holds now, as the console's feeder does.
        func index() throws { try Self.index(server: server, folder: folder) }

        static func index(server: ConsoleServer, folder: String) throws {
            let reader = try QueueReader(directory: folder + "/queue", from: .offset(try server.index.nextOffset()))
            try server.feeder.step(reader)
        }

        func application() -> some ApplicationProtocol {
            Application(router: server.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        }

        func cleanUp() { try? FileManager.default.removeItem(atPath: folder) }
    }

    static func json(_ buffer: ByteBuffer) throws -> Any { try JSONSerialization.jsonObject(with: Data(buffer: buffer)) }

    static func cookie(_ response: TestResponse) -> String? {
        response.headers[.setCookie].flatMap { $0.split(separator: ";").first.map(String.init) }
    }

    @Test func signedOutRequestsAreRefusedAndLoginWorks() async throws {
        let fixture = try Fixture(users: true)
        defer { fixture.cleanUp() }
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/api/cameras", method: .get) { response in #expect(response.status == .unauthorized) }
            try await client.execute(uri: "/snapshots/2026-12-02/abc.jpg", method: .get) { response in #expect(response.status == .unauthorized) }
            // The page itself, its files and the health check need no session.
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                #expect(response.headers[.contentSecurityPolicy]?.contains("unsafe-inline") == false)
            }
            try await client.execute(uri: "/assets/app.js", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/healthz", method: .get) { response in #expect(response.status == .ok) }
            let json: HTTPFields = [.contentType: "application/json"]
            try await client.execute(uri: "/api/login", method: .post, headers: json, body: ByteBuffer(string: #"{"name":"lan","password":"wrong"}"#)) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.setCookie] == nil)
            }
            var cookie = ""
            try await client.execute(uri: "/api/login", method: .post, headers: json, body: ByteBuffer(string: #"{"name":"lan","password":"operator-pass"}"#)) { response in
                #expect(response.status == .ok)
                let header = response.headers[.setCookie] ?? ""
                #expect(header.contains("HttpOnly") && header.contains("SameSite=Strict"))
                cookie = Self.cookie(response) ?? ""
            }
            try await client.execute(uri: "/api/cameras", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains("Cổng Ngọ Môn") || text.contains("C\\u1ed5ng"))
                // Source credentials never reach the page.
                #expect(!text.contains("hunter2") && !text.contains("rtsp"))
            }
            try await client.execute(uri: "/api/cameras", method: .get, headers: [.cookie: "vigil_session=forged"]) { response in
                #expect(response.status == .unauthorized)
            }
            try await client.execute(uri: "/api/logout", method: .post, headers: [.cookie: cookie]) { _ in }
            try await client.execute(uri: "/api/cameras", method: .get, headers: [.cookie: cookie]) { response in #expect(response.status == .unauthorized) }
        }
    }

    @Test func loginAttemptsAreRateLimited() async throws {
        let fixture = try Fixture(users: true)
        defer { fixture.cleanUp() }
        try await fixture.application().test(.router) { client in
            let json: HTTPFields = [.contentType: "application/json"]
            for _ in 0..<5 {
                try await client.execute(uri: "/api/login", method: .post, headers: json, body: ByteBuffer(string: #"{"name":"lan","password":"guess"}"#)) { response in
                    #expect(response.status == .unauthorized)
                }
            }
            // Even the right password waits now: guessing cannot go on at full speed.
            try await client.execute(uri: "/api/login", method: .post, headers: json, body: ByteBuffer(string: #"{"name":"lan","password":"operator-pass"}"#)) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] != nil)
            }
        }
    }

    @Test func operatorAcknowledgesIntoTheQueueViewerCannot() async throws {
        let fixture = try Fixture(users: true)
        defer { fixture.cleanUp() }
        let offsets = try fixture.writer.append([Event(type: .intrusion, camera: "gate", state: .start, zone: "east")])
        try fixture.index()
        let server = fixture.server, folder = fixture.folder
        try await fixture.application().test(.router) { client in
            let json: HTTPFields = [.contentType: "application/json"]
            func signIn(_ name: String, _ password: String) async throws -> String {
                try await client.execute(uri: "/api/login", method: .post, headers: json, body: ByteBuffer(string: "{\"name\":\"\(name)\",\"password\":\"\(password)\"}")) { response in
                    Self.cookie(response) ?? ""
                }
            }
            let viewer = try await signIn("minh", "viewer-pass")
            try await client.execute(uri: "/api/events/\(offsets[0])/ack", method: .post, headers: [.cookie: viewer, .contentType: "application/json"],
                                     body: ByteBuffer(string: "{}")) { response in #expect(response.status == .forbidden) }
            let operatorCookie = try await signIn("lan", "operator-pass")
            try await client.execute(uri: "/api/events/\(offsets[0])/ack", method: .post, headers: [.cookie: operatorCookie, .contentType: "application/json"],
                                     body: ByteBuffer(string: #"{"note":"đã kiểm tra"}"#)) { response in #expect(response.status == .created) }
            try await client.execute(uri: "/api/events/999/ack", method: .post, headers: [.cookie: operatorCookie, .contentType: "application/json"],
                                     body: ByteBuffer(string: "{}")) { response in #expect(response.status == .notFound) }
            // A form post from another site cannot send JSON without a preflight.
            try await client.execute(uri: "/api/events/\(offsets[0])/ack", method: .post, headers: [.cookie: operatorCookie, .contentType: "application/x-www-form-urlencoded"],
                                     body: ByteBuffer(string: "note=x")) { response in #expect(response.status == .unsupportedMediaType) }
            try Fixture.index(server: server, folder: folder)
            try await client.execute(uri: "/api/events/\(offsets[0])/ack", method: .post, headers: [.cookie: operatorCookie, .contentType: "application/json"],
                                     body: ByteBuffer(string: "{}")) { response in #expect(response.status == .conflict) }
        }
        // The acknowledgement is a queue record of its own: who, which event, the note.
        let reader = try QueueReader(directory: fixture.folder + "/queue")
        var records: [Event] = []
        while let record = try reader.next() { records.append(try record.event()) }
        let acknowledgements = records.filter { $0.type == .acknowledgement }
        #expect(acknowledgements.count == 1)
        #expect(acknowledgements.first?.data?["acknowledges"] == .int(Int64(offsets[0])))
        #expect(acknowledgements.first?.data?["user"] == .string("lan"))
        #expect(acknowledgements.first?.data?["note"] == .string("đã kiểm tra"))
        #expect(try fixture.server.index.event(at: offsets[0])?.acknowledgement?.user == "lan")
    }

    @Test func searchFiltersCSVAndTraversal() async throws {
        let fixture = try Fixture(users: false)
        defer { fixture.cleanUp() }
        try fixture.writer.append([
            Event(type: .lineCrossing, camera: "street", time: "2026-12-02T01:00:00.000Z", line: "stop", direction: "in"),
            Event(type: .intrusion, camera: "gate", time: "2026-12-02T01:30:00.000Z", state: .start, zone: "east", snapshot: "snapshots/2026-12-02/abc.jpg"),
            Event(type: .manual, camera: "gate", time: "2026-12-02T02:00:00.000Z", zone: "=HYPERLINK(\"x\")", data: ["text": .string("a, b")]),
        ])
        try fixture.index()
        try await fixture.application().test(.router) { client in
            // Open console on loopback: no sign-in needed.
            try await client.execute(uri: "/api/events?camera=gate", method: .get) { response in
                let page = try #require(try Self.json(response.body) as? [String: Any])
                let items = try #require(page["items"] as? [[String: Any]])
                #expect(items.count == 2)
            }
            // 08:45 to 09:15 in Ha Noi is 01:45–02:15 UTC: only the manual event.
            try await client.execute(uri: "/api/events?since=2026-12-02T08:45&until=2026-12-02T09:15", method: .get) { response in
                let page = try #require(try Self.json(response.body) as? [String: Any])
                let items = try #require(page["items"] as? [[String: Any]])
                #expect(items.compactMap { ($0["event"] as? [String: Any])?["type"] as? String } == ["manual"])
            }
            try await client.execute(uri: "/api/events?since=tomorrow", method: .get) { response in #expect(response.status == .badRequest) }
            try await client.execute(uri: "/api/events?type=unicorn", method: .get) { response in #expect(response.status == .badRequest) }
            try await client.execute(uri: "/api/events.csv", method: .get) { response in
                let text = String(buffer: response.body)
                let lines = text.split(separator: "\r\n")
                #expect(lines.count == 4)
                // A formula is defused and quotes are doubled.
                #expect(text.contains("\"'=HYPERLINK(\"\"x\"\")\""))
                #expect(text.contains("\"{\"\"text\"\":\"\"a, b\"\"}\""))
            }
            try await client.execute(uri: "/snapshots/2026-12-02/abc.jpg", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/jpeg")
            }
            for hostile in ["/snapshots/../secret.txt", "/snapshots/..%2F..%2Fsecret.txt", "/snapshots/%2e%2e/%2e%2e/secret.txt",
                            "/api/cameras/..%2F..%2Fsecret/picture.jpg", "/api/cameras/nosuch/picture.jpg", "/assets/..%2F..%2FPackage.swift"] {
                try await client.execute(uri: hostile, method: .get) { response in
                    #expect(response.status != .ok, "\(hostile)")
                    #expect(!String(buffer: response.body).contains("secret"), "\(hostile)")
                }
            }
            try await client.execute(uri: "/api/traffic?camera=street&bucket=15", method: .get) { response in #expect(response.status == .ok) }
            try await client.execute(uri: "/api/traffic?camera=street&bucket=7", method: .get) { response in #expect(response.status == .badRequest) }
        }
    }

    @Test func clipsAreServedInRangesAndNotBeforeTheyAreReady() async throws {
        let fixture = try Fixture(users: false)
        defer { fixture.cleanUp() }
        let day = fixture.folder + "/queue/clips/2026-12-02"
        try FileManager.default.createDirectory(atPath: day, withIntermediateDirectories: true)
        let bytes = (0..<1000).map { UInt8($0 % 256) }
        try Data(bytes).write(to: URL(fileURLWithPath: day + "/gate-a.mp4"))
        try Data([1, 2]).write(to: URL(fileURLWithPath: day + "/gate-b.mp4.part"))
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/clips/2026-12-02/gate-a.mp4", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "video/mp4" && response.headers[.acceptRanges] == "bytes")
                #expect(Array(buffer: response.body) == bytes)
            }
            // What a browser's video player asks for when it seeks.
            try await client.execute(uri: "/clips/2026-12-02/gate-a.mp4", method: .get, headers: [.range: "bytes=100-199"]) { response in
                #expect(response.status == .partialContent)
                #expect(response.headers[.contentRange] == "bytes 100-199/1000")
                #expect(Array(buffer: response.body) == Array(bytes[100...199]))
            }
            try await client.execute(uri: "/clips/2026-12-02/gate-a.mp4", method: .get, headers: [.range: "bytes=-10"]) { response in
                #expect(Array(buffer: response.body) == Array(bytes[990...]))
            }
            try await client.execute(uri: "/clips/2026-12-02/gate-b.mp4", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("still being recorded"))
            }
            try await client.execute(uri: "/clips/..%2F..%2Fsecret.txt", method: .get) { response in
                #expect(response.status == .notFound && !String(buffer: response.body).contains("secret"))
            }
        }
    }

    @Test func aChangedConfigurationChangesTheWall() async throws {
        let fixture = try Fixture(users: false)
        defer { fixture.cleanUp() }
        var changed = try ConfigLoader.parse(yaml: "queue: { path: queue }\ncameras: [{ id: street, source: s.mp4 }, { id: bridge, name: Cầu, source: b.mp4 }]\n")
        changed.queue = nil
        fixture.server.configurationChanged(changed)
        try await fixture.application().test(.router) { client in
            try await client.execute(uri: "/api/cameras", method: .get) { response in
                let cameras = try #require(try Self.json(response.body) as? [[String: Any]])
                #expect(cameras.compactMap { $0["id"] as? String } == ["street", "bridge"])
            }
            try await client.execute(uri: "/api/traffic?camera=gate", method: .get) { response in #expect(response.status == .badRequest) }
            try await client.execute(uri: "/api/traffic?camera=bridge", method: .get) { response in #expect(response.status == .ok) }
        }
    }

    @Test func openConsoleOnlyOnLoopback() throws {
        var configuration = try ConfigLoader.parse(yaml: "queue: { path: /tmp/q }\nconsole: { host: 0.0.0.0 }\ncameras: [{ id: a, source: a.mp4 }]\n")
        configuration.console?.indexPath = NSTemporaryDirectory() + "unused.sqlite"
        let error = #expect(throws: ConsoleOptions.StartError.self) { try ConsoleOptions(configuration: configuration) }
        #expect(error?.description.contains("users_file") == true)
        configuration.console?.host = "127.0.0.1"
        #expect(throws: Never.self) { try ConsoleOptions(configuration: configuration) }
    }

    @Test func configReadsTheConsoleSection() throws {
        let configuration = try ConfigLoader.parse(yaml: """
            queue: { path: /tmp/q }
            console: { port: 9090, language: en, time_zone: UTC }
            cameras: [{ id: a, name: "Cầu Tràng Tiền", group: "Cầu", source: a.mp4 }]
            """)
        #expect(configuration.console?.port == 9090 && configuration.console?.language == .en && configuration.console?.timeZone == "UTC")
        #expect(configuration.cameras[0].name == "Cầu Tràng Tiền" && configuration.cameras[0].group == "Cầu")
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml: "console: { time_zone: Mars/Olympus }\ncameras: [{ id: a, source: a }]\n") }
        #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml: "console: { language: fr }\ncameras: [{ id: a, source: a }]\n") }
    }
}
