import Foundation
import NIOSSL
import PostgresNIO
import VigilConfig

/// Where the store is and how to sign in: the config's `forward:` URL, with the `PG*`
/// variables for what it leaves out, as libpq reads them. The password is kept here only;
/// `description` never shows it.
public struct PostgresEndpoint: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var tls: ForwardSettings.TLSMode
    private var password: String?

    public init(settings: ForwardSettings, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        var host = environment["PGHOST"], port = environment["PGPORT"], user = environment["PGUSER"], database = environment["PGDATABASE"]
        if let url = settings.url {
            if let problem = ForwardSettings.urlProblem(url) { throw ForwardError("forward.url: \(problem)") }
            let rest = url[url.range(of: "://")!.upperBound...]
            let parts = rest.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
            var authority = Substring(parts.first ?? "")
            if let at = authority.lastIndex(of: "@") {
                user = String(authority[..<at]).removingPercentEncoding ?? String(authority[..<at])
                authority = authority[authority.index(after: at)...]
            }
            // [v6]:port, name:port or name.
            if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
                host = String(authority[authority.index(after: authority.startIndex)..<close])
                let after = authority[authority.index(after: close)...]
                if after.hasPrefix(":") { port = String(after.dropFirst()) }
            } else if let colon = authority.lastIndex(of: ":") {
                host = String(authority[..<colon])
                port = String(authority[authority.index(after: colon)...])
            } else if !authority.isEmpty {
                host = String(authority)
            }
            if parts.count > 1, !parts[1].isEmpty { database = String(parts[1]).removingPercentEncoding ?? String(parts[1]) }
        }
        self.host = (host?.isEmpty == false ? host : nil) ?? "localhost"
        guard let number = Int(port ?? "5432"), (1...65535).contains(number) else {
            throw ForwardError("forward: the port must be 1 to 65535, found '\(port ?? "")'")
        }
        self.port = number
        guard let user = (user?.isEmpty == false ? user : nil) ?? environment["USER"] else {
            throw ForwardError("forward: no user; write postgresql://USER@HOST:PORT/DATABASE or set PGUSER")
        }
        self.user = user
        self.database = (database?.isEmpty == false ? database : nil) ?? user
        tls = settings.tls
        if let file = settings.passwordFile {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ForwardError("forward.password_file: cannot read \(file)")
            }
            var text = String(decoding: data, as: UTF8.self)
            while text.last == "\n" || text.last == "\r" { text.removeLast() }
            if text.isEmpty { throw ForwardError("forward.password_file: \(file) is empty") }
            password = text
        } else {
            password = environment["PGPASSWORD"]
        }
    }

    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "postgresql://\(user)@\(shownHost):\(port)/\(database) (tls \(tls.rawValue))"
    }

    /// libpq's meanings: `prefer` tries TLS and falls back, `require` refuses plain text; neither
    /// checks the certificate against a CA (that would need the city's CA file in the config).
    public func configuration() throws -> PostgresConnection.Configuration {
        let mode: PostgresConnection.Configuration.TLS
        switch tls {
        case .disable: mode = .disable
        case .prefer, .require:
            var tlsConfiguration = TLSConfiguration.makeClientConfiguration()
            tlsConfiguration.certificateVerification = .none
            let context = try NIOSSLContext(configuration: tlsConfiguration)
            mode = tls == .prefer ? .prefer(context) : .require(context)
        }
        var configuration = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: mode)
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
