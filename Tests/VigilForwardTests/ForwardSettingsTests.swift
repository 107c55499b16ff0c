import Foundation
import Testing
import VigilConfig
@testable import VigilForward

@Suite("Forward: settings, endpoint, batches")
struct ForwardSettingsTests {
    let cameras = """
    cameras:
      - { id: gate, source: gate.mp4, host: hue-north, analysis: { width: 320 } }
      - { id: door, source: door.mp4, analysis: { width: 320 } }
    """

    @Test("the forward section is read with its defaults, and cameras name their host")
    func readsSection() throws {
        let configuration = try ConfigLoader.parse(yaml: """
        queue: { path: q }
        forward:
          url: postgresql://vigil@db.ioc.local:6543/events
          password_file: secrets/pg
          site: hue-central
        \(cameras)
        """)
        let forward = try #require(configuration.forward)
        #expect(forward.url == "postgresql://vigil@db.ioc.local:6543/events")
        #expect(forward.tls == .prefer && forward.batch == 2000 && forward.method == .unnest && forward.metricsPort == 0)
        #expect(configuration.cameras.map(\.host) == ["hue-north", nil])
        #expect(configuration.cameras(forHost: "hue-north").map(\.id) == ["gate"])
        #expect(configuration.cameras(forHost: nil).count == 2)
        #expect(configuration.site(host: nil) == "hue-central")
        #expect(configuration.site(host: "hue-north") == "hue-north")
        #expect(configuration.eventSite(host: nil, camera: configuration.cameras[0]) == "hue-north")
        #expect(configuration.eventSite(host: nil, camera: configuration.cameras[1]) == "hue-central")
        let resolved = ConfigLoader.resolvingPaths(configuration, configFile: "/etc/vigil/vigil.yaml")
        #expect(resolved.forward?.passwordFile == "/etc/vigil/secrets/pg")
    }

    @Test("a password in the URL, an unknown field or a bad value is refused with the field named")
    func refusesMistakes() {
        for (yaml, field, words) in [
            ("forward: { url: 'postgresql://vigil:secret@db/vigil' }", "forward.url", "password_file"),
            ("forward: { url: 'mysql://db/vigil' }", "forward.url", "postgresql://"),
            ("forward: { tls: maybe }", "forward.tls", "disable, prefer or require"),
            ("forward: { batch: 0 }", "forward.batch", "1 to 50000"),
            ("forward: { method: bulk }", "forward.method", "copy or unnest"),
            ("forward: { site: 'two words' }", "forward.site", "letters"),
            ("forward: { passwd: x }", "forward.passwd", "unknown field"),
        ] {
            #expect(throws: ConfigError.self) { try ConfigLoader.parse(yaml: "queue: { path: q }\n" + yaml + "\n" + cameras) }
            do { _ = try ConfigLoader.parse(yaml: "queue: { path: q }\n" + yaml + "\n" + cameras) } catch let error as ConfigError {
                #expect(error.issues.contains { $0.field == field && $0.message.contains(words) }, "\(yaml): \(error)")
                #expect(!"\(error)".contains("secret"))
            } catch {}
        }
    }

    @Test("the endpoint takes the URL first, the PG variables for the rest, and never shows the password")
    func endpoint() throws {
        let folder = NSTemporaryDirectory() + "vigil-endpoint-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "s3cret-Pa55\n".write(toFile: folder + "/pg", atomically: true, encoding: .utf8)

        var settings = ForwardSettings()
        settings.url = "postgresql://ioc@db.example:6543/city"
        settings.passwordFile = folder + "/pg"
        let full = try PostgresEndpoint(settings: settings, environment: ["PGHOST": "other", "PGPORT": "1", "PGPASSWORD": "env"])
        #expect(full.host == "db.example" && full.port == 6543 && full.user == "ioc" && full.database == "city")
        #expect(full.description == "postgresql://ioc@db.example:6543/city (tls prefer)")
        let configuration = try full.configuration()
        #expect(configuration.password == "s3cret-Pa55")

        var bare = ForwardSettings()
        bare.tls = .disable
        let fromEnvironment = try PostgresEndpoint(settings: bare, environment: ["PGHOST": "10.0.0.5", "PGPORT": "5433", "PGUSER": "vigil",
                                                                               "PGDATABASE": "events", "PGPASSWORD": "from-env"])
        #expect(fromEnvironment.description == "postgresql://vigil@10.0.0.5:5433/events (tls disable)")
        #expect(try fromEnvironment.configuration().password == "from-env")
        #expect(!fromEnvironment.description.contains("from-env"))

        var v6 = ForwardSettings()
        v6.url = "postgresql://vigil@[::1]:5444"
        let six = try PostgresEndpoint(settings: v6, environment: [:])
        #expect(six.host == "::1" && six.port == 5444 && six.database == "vigil")

        var missing = ForwardSettings()
        missing.passwordFile = folder + "/absent"
        #expect { try PostgresEndpoint(settings: missing, environment: ["PGUSER": "x"]) } throws: { "\($0)".contains("password_file") }
        var badPort = ForwardSettings()
        badPort.url = "postgresql://vigil@db:99999/x"
        #expect { try PostgresEndpoint(settings: badPort, environment: [:]) } throws: { "\($0)".contains("port") }
    }

    @Test("a batch finds each record's day without parsing it, and refuses a date PostgreSQL would not take")
    func batchDays() {
        func line(_ json: String) -> [UInt8] { Array(json.utf8) }
        #expect(EventBatch.day(line(#"{"camera":"a","data":{"time":"1999-01-01T00:00:00Z","x":"}{"},"id":"x","time":"2026-12-02T10:00:00.000Z","type":"manual"}"#)) == "2026-12-02")
        #expect(EventBatch.day(line(#"{"camera":"a\"time\":\"1999","time":"2024-02-29T23:59:59.999Z"}"#)) == "2024-02-29")
        #expect(EventBatch.day(line(#"{"camera":"a","time":"2026-02-29T00:00:00Z"}"#)) == nil)
        #expect(EventBatch.day(line(#"{"camera":"a","time":"2026-13-01T00:00:00Z"}"#)) == nil)
        #expect(EventBatch.day(line(#"{"camera":"a"}"#)) == nil)
    }

    @Test("back-off doubles with jitter up to its ceiling and starts again after a success")
    func backoff() {
        var backoff = Backoff(first: 1, longest: 8)
        let waits = (0..<6).map { _ in backoff.next() }
        for (wait, ceiling) in zip(waits, [1.0, 2, 4, 8, 8, 8]) { #expect(wait >= ceiling / 2 && wait <= ceiling) }
        backoff.reset()
        #expect(backoff.next() <= 1)
    }
}
