import Foundation

/// What `vigil status` shows of the forwarder; written to the state folder every second
/// as `forward.status` (not `.json`: a camera may be called anything, even `forward`).
public struct ForwarderStatus: Sendable, Codable, Equatable {
    public var site: String
    public var queue: String
    public var pid: Int32
    /// The store, without the password.
    public var database: String
    public var method: String
    public var connected = false
    /// The group's committed offset, the queue's end, and the difference.
    public var committed: UInt64 = 0
    public var queueEnd: UInt64 = 0
    public var lag: UInt64 = 0
    public var eventsStored = 0
    /// Rows already in the store when a batch was sent again (after a crash or a lost commit).
    public var duplicatesSkipped = 0
    public var batches = 0
    public var lastError: String?
    public var updatedAt: String = ""

    public static func path(directory: String) -> String { directory + "/forward.status" }

    public func write(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try encoder.encode(self).write(to: URL(fileURLWithPath: Self.path(directory: directory)), options: .atomic)
    }

    public static func read(directory: String) -> ForwarderStatus? {
        guard let data = FileManager.default.contents(atPath: path(directory: directory)) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(ForwarderStatus.self, from: data)
    }

    /// Seconds since the file was written; nil when there is none.
    public static func age(directory: String) -> Double? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path(directory: directory)),
              let modified = attributes[.modificationDate] as? Date else { return nil }
        return Date().timeIntervalSince(modified)
    }
}
