import Foundation
import Testing
@testable import VigilConsole

@Suite("Console: passwords, users, sessions, throttling, paths")
struct ConsoleAuthTests {
    @Test func passwordHashRoundTrip() throws {
        let hash = try PasswordHash.make("mật khẩu đúng", rounds: 1000)
        #expect(hash.hasPrefix("pbkdf2-sha256$1000$"))
        #expect(PasswordHash.verify("mật khẩu đúng", against: hash))
        #expect(!PasswordHash.verify("mật khẩu sai", against: hash))
        #expect(!PasswordHash.verify("", against: hash))
        // Two hashes of one password differ (salted).
        #expect(try PasswordHash.make("same", rounds: 1000) != PasswordHash.make("same", rounds: 1000))
    }

    @Test func malformedHashesNeverMatch() {
        for bad in ["", "plaintext", "pbkdf2-sha256$10$AAAA$AAAA", "md5$1000$c2FsdHNhbHQ=$AAAA", "pbkdf2-sha256$1000$!!!$???"] {
            #expect(!PasswordHash.verify("plaintext", against: bad))
            #expect(!PasswordHash.isWellFormed(bad))
        }
    }

    @Test func usersFileRoundTripAndAuthentication() throws {
        let path = NSTemporaryDirectory() + "vigil-users-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try UserDirectory.setUser(path: path, name: "lan", role: .operator, password: "first-password")
        try UserDirectory.setUser(path: path, name: "minh", role: .viewer, password: "viewer-password")
        try UserDirectory.setUser(path: path, name: "lan", role: .operator, password: "second-password")
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("second-password") && !text.contains("viewer-password"))
        let users = try UserDirectory.load(path: path)
        #expect(users.entries.count == 2)
        #expect(users.authenticate(name: "lan", password: "second-password") == ConsoleUser(name: "lan", role: .operator))
        #expect(users.authenticate(name: "lan", password: "first-password") == nil)
        #expect(users.authenticate(name: "minh", password: "viewer-password")?.canAcknowledge == false)
        #expect(users.authenticate(name: "nobody", password: "viewer-password") == nil)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func usersFileRefusesPlainPasswordsAndUnknownRoles() throws {
        let path = NSTemporaryDirectory() + "vigil-users-\(UUID().uuidString).yaml"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "users:\n  - { name: lan, role: operator, password: hunter22 }\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: UserDirectory.LoadError.self) { try UserDirectory.load(path: path) }
        let hash = try PasswordHash.make("x", rounds: 1000)
        try "users:\n  - { name: lan, role: admin, password: \"\(hash)\" }\n".write(toFile: path, atomically: true, encoding: .utf8)
        let error = #expect(throws: UserDirectory.LoadError.self) { try UserDirectory.load(path: path) }
        #expect(error?.message.contains("viewer or operator") == true)
    }

    @Test func sessionsExpireWhenIdle() {
        let clock = ContinuousClock()
        let store = SessionStore(idleSeconds: 60, clock: clock)
        let token = store.open(for: ConsoleUser(name: "lan", role: .operator))
        let start = clock.now
        #expect(store.user(for: token, at: start + .seconds(30))?.name == "lan")
        // Each request refreshes the idle timer.
        #expect(store.user(for: token, at: start + .seconds(85))?.name == "lan")
        #expect(store.user(for: token, at: start + .seconds(150)) == nil)
        #expect(store.user(for: token, at: start + .seconds(151)) == nil)
        #expect(store.user(for: "forged-token") == nil)
        let other = store.open(for: ConsoleUser(name: "minh", role: .viewer))
        store.close(other)
        #expect(store.user(for: other) == nil)
    }

    @Test func throttleBlocksRepeatedFailuresByAddressAndName() {
        let throttle = LoginThrottle(maximumFailures: 3, windowSeconds: 60)
        let start = ContinuousClock().now
        for second in 0..<3 { throttle.recordFailure(address: "10.0.0.9", name: "lan", now: start + .seconds(second)) }
        #expect(throttle.retryAfter(address: "10.0.0.9", name: "other", now: start + .seconds(5)) != nil)
        // Another address guessing the same name is held back too.
        let wait = throttle.retryAfter(address: "10.0.0.10", name: "lan", now: start + .seconds(5))
        #expect(wait != nil && wait! > 50 && wait! <= 60)
        #expect(throttle.retryAfter(address: "10.0.0.9", name: "lan", now: start + .seconds(61)) == nil)
        throttle.recordFailure(address: "a", name: "b", now: start)
        throttle.recordSuccess(address: "a", name: "b")
        #expect(throttle.retryAfter(address: "a", name: "b", now: start) == nil)
    }

    @Test func safePathStaysInsideItsFolder() throws {
        let root = NSTemporaryDirectory() + "vigil-safe-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/2026-12-02", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "x".write(toFile: root + "/2026-12-02/a.jpg", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/escape", withDestinationPath: "/etc")
        #expect(SafePath.resolve("2026-12-02/a.jpg", inside: root) != nil)
        for hostile in ["../secret", "2026-12-02/../../secret", "/etc/passwd", "..", ".", "", "a//b", "escape/passwd", "a\\..\\b", "x\0y"] {
            #expect(SafePath.resolve(hostile, inside: root) == nil, "\(hostile)")
        }
    }

    @Test func localTimesAreReadInTheConfiguredZone() {
        let hanoi = LocalTime(zoneName: "Asia/Ho_Chi_Minh")
        // 08:30 in Ha Noi is 01:30 UTC.
        #expect(hanoi.milliseconds("2026-12-02T08:30") == 1_796_175_000_000)
        #expect(hanoi.milliseconds("2026-12-02T01:30:00Z") == 1_796_175_000_000)
        #expect(hanoi.milliseconds("2026-12-02") == 1_796_144_400_000)
        #expect(hanoi.milliseconds("yesterday") == nil)
    }
}
