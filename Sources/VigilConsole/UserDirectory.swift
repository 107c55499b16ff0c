import Foundation
import Yams

/// The console's users, read once from the YAML users file:
///
///     users:
///       - { name: lan, role: operator, password: "pbkdf2-sha256$210000$…$…" }
///
/// `vigil console passwd` adds or replaces an entry. Without a users file the console
/// is open to whoever reaches it, which is only allowed on a loopback address.
public struct UserDirectory: Sendable {
    public struct Entry: Sendable, Equatable {
        public var user: ConsoleUser
        public var passwordHash: String
    }
    public private(set) var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    public struct LoadError: Error, CustomStringConvertible {
        public var path: String
        public var message: String
        public var description: String { "\(path): \(message)" }
    }

    public static func load(path: String) throws -> UserDirectory {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw LoadError(path: path, message: "cannot read the users file (create it with `vigil console passwd --users-file \(path) --name NAME --role operator`)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw LoadError(path: path, message: "is not UTF-8 text") }
        let root: Any?
        do { root = try Yams.load(yaml: text) } catch { throw LoadError(path: path, message: "YAML syntax error: \(error)") }
        guard let mapping = root as? [String: Any], let list = mapping["users"] as? [Any] else {
            throw LoadError(path: path, message: "expected `users:` with a list of { name, role, password }")
        }
        var entries: [Entry] = []
        for (index, item) in list.enumerated() {
            guard let fields = item as? [String: Any], let name = fields["name"] as? String, !name.isEmpty else {
                throw LoadError(path: path, message: "users[\(index)]: needs a name")
            }
            guard let roleText = fields["role"] as? String, let role = ConsoleUser.Role(rawValue: roleText) else {
                throw LoadError(path: path, message: "users[\(index)] (\(name)): role must be viewer or operator")
            }
            guard let hash = fields["password"] as? String, PasswordHash.isWellFormed(hash) else {
                throw LoadError(path: path, message: "users[\(index)] (\(name)): password must be a hash written by `vigil console passwd`, never the password itself")
            }
            if entries.contains(where: { $0.user.name == name }) { throw LoadError(path: path, message: "users[\(index)]: '\(name)' is listed twice") }
            entries.append(Entry(user: ConsoleUser(name: name, role: role), passwordHash: hash))
        }
        if entries.isEmpty { throw LoadError(path: path, message: "the users list is empty") }
        return UserDirectory(entries: entries)
    }

    /// The user whose password this is; nil for an unknown name or a wrong password (the
    /// hash is computed either way, so the answer's timing does not reveal which names exist).
    public func authenticate(name: String, password: String) -> ConsoleUser? {
        let entry = entries.first { $0.user.name == name }
        let matches = PasswordHash.verify(password, against: entry?.passwordHash ?? Self.decoyHash)
        return matches ? entry?.user : nil
    }

    private static let decoyHash = (try? PasswordHash.make(RandomToken.random())) ?? ""

    /// Adds or replaces a user in the file at `path` (created if missing), keeping the others.
    public static func setUser(path: String, name: String, role: ConsoleUser.Role, password: String) throws {
        var entries: [Entry] = FileManager.default.fileExists(atPath: path) ? try load(path: path).entries : []
        let entry = Entry(user: ConsoleUser(name: name, role: role), passwordHash: try PasswordHash.make(password))
        if let index = entries.firstIndex(where: { $0.user.name == name }) { entries[index] = entry } else { entries.append(entry) }
        let document: [String: Any] = ["users": entries.map { ["name": $0.user.name, "role": $0.user.role.rawValue, "password": $0.passwordHash] }]
        let text = "# Console users (vigil console passwd). Passwords are salted PBKDF2-SHA256 hashes.\n" + (try Yams.dump(object: document, sortKeys: true))
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        chmod(path, 0o600)
    }
}
