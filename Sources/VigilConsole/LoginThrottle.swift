import Synchronization

/// Limits password guessing: after `maximumFailures` failed logins within `windowSeconds`
/// from one address, or for one user name, further attempts are refused until the window
/// has passed. A success clears the address's and the name's record.
public final class LoginThrottle: Sendable {
    public let maximumFailures: Int
    public let windowSeconds: Double
    private let failures = Mutex<[String: [ContinuousClock.Instant]]>([:])

    public init(maximumFailures: Int = 5, windowSeconds: Double = 300) {
        self.maximumFailures = maximumFailures
        self.windowSeconds = windowSeconds
    }

    /// Seconds to wait before trying again, or nil if an attempt is allowed now.
    public func retryAfter(address: String, name: String, now: ContinuousClock.Instant = ContinuousClock().now) -> Double? {
        failures.withLock { failures in
            var longest: Double?
            for key in ["addr:" + address, "name:" + name] {
                let recent = (failures[key] ?? []).filter { now - $0 < .seconds(windowSeconds) }
                failures[key] = recent.isEmpty ? nil : recent
                if recent.count >= maximumFailures, let oldest = recent.first {
                    let wait = windowSeconds - Self.seconds(now - oldest)
                    longest = max(longest ?? 0, wait)
                }
            }
            return longest
        }
    }

    public func recordFailure(address: String, name: String, now: ContinuousClock.Instant = ContinuousClock().now) {
        failures.withLock { failures in
            // Bounded: an attacker cycling names must not grow the table for ever.
            if failures.count > 10_000 { failures.removeAll() }
            failures["addr:" + address, default: []].append(now)
            failures["name:" + name, default: []].append(now)
        }
    }

    public func recordSuccess(address: String, name: String) {
        failures.withLock { failures in
            failures["addr:" + address] = nil
            failures["name:" + name] = nil
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
