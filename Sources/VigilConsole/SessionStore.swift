import Synchronization

/// Signed-in sessions, in memory: a restart signs everyone out, which is acceptable for a
/// console and keeps no secrets on disk. A session ends after `idleSeconds` without a request.
public final class SessionStore: Sendable {
    struct Session { var user: ConsoleUser; var lastSeen: ContinuousClock.Instant }
    private let sessions = Mutex<[String: Session]>([:])
    public let idleSeconds: Double
    private let clock: ContinuousClock

    public init(idleSeconds: Double, clock: ContinuousClock = ContinuousClock()) {
        self.idleSeconds = idleSeconds
        self.clock = clock
    }

    /// A new session for `user`; the token goes into an HttpOnly cookie.
    public func open(for user: ConsoleUser) -> String {
        let token = RandomToken.random() + RandomToken.random()
        let now = clock.now
        sessions.withLock { sessions in
            // Drop expired sessions while here, so the table cannot grow without bound.
            sessions = sessions.filter { now - $0.value.lastSeen < .seconds(idleSeconds) }
            sessions[token] = Session(user: user, lastSeen: now)
        }
        return token
    }

    /// The session's user, refreshing its idle timer; nil for an unknown or expired token.
    public func user(for token: String, at now: ContinuousClock.Instant? = nil) -> ConsoleUser? {
        let now = now ?? clock.now
        return sessions.withLock { sessions in
            guard var session = sessions[token] else { return nil }
            guard now - session.lastSeen < .seconds(idleSeconds) else { sessions[token] = nil; return nil }
            session.lastSeen = now
            sessions[token] = session
            return session.user
        }
    }

    public func close(_ token: String) { _ = sessions.withLock { $0.removeValue(forKey: token) } }
}
