import PostgresNIO

/// A problem the forwarder reports in one line: what failed and the server's own words,
/// never the password (postgres-nio hides server details by default; we show the message
/// and SQLSTATE, which carry no credentials).
public struct ForwardError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// `error` as an operator reads it.
    public static func describe(_ error: any Error) -> String {
        if let error = error as? PSQLError {
            if let info = error.serverInfo, let message = info[.message] {
                return "PostgreSQL: \(message)" + (info[.sqlState].map { " (SQLSTATE \($0))" } ?? "")
            }
            switch error.code {
            case .connectionError: return "cannot connect: " + (error.underlying.map { "\($0)" } ?? "connection refused or unreachable")
            case .serverClosedConnection, .uncleanShutdown: return "the server closed the connection"
            case .clientClosedConnection: return "the connection was closed"
            case .sslUnsupported: return "the server does not offer TLS (tls: require)"
            case .authMechanismRequiresPassword: return "the server asks for a password: give password_file or PGPASSWORD"
            default: return "PostgreSQL error \(error.code)"
            }
        }
        return "\(error)"
    }
}

/// The store was migrated by a newer Vigil: retrying cannot help, so the forwarder stops.
public struct SchemaTooNewError: Error, Sendable, CustomStringConvertible {
    public var found: Int
    public var known: Int
    public var description: String {
        "the database's Vigil schema is version \(found), newer than this Vigil's \(known); upgrade Vigil on this host"
    }
}
