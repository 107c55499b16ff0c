/// Someone signed in to the console, or the local operator when no users are configured.
public struct ConsoleUser: Sendable, Equatable, Codable {
    public enum Role: String, Sendable, Equatable, Codable, CaseIterable {
        /// Sees everything.
        case viewer
        /// Also acknowledges alarms.
        case `operator`
    }
    public var name: String
    public var role: Role
    public var canAcknowledge: Bool { role == .operator }
    public init(name: String, role: Role) { self.name = name; self.role = role }
}
