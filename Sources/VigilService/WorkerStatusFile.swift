import Foundation

/// Each worker's state as a small JSON file, replaced atomically every second, so
/// `vigil status` can show a fleet without talking to every process.
public enum WorkerStatusFile {
    public static func path(camera: String, directory: String) -> String { directory + "/" + camera + ".json" }

    public static func write(_ status: WorkerStatus, directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        // Written to a temporary name and renamed, so a reader sees the old file or the new.
        try encoder.encode(status).write(to: URL(fileURLWithPath: path(camera: status.camera, directory: directory)), options: .atomic)
    }

    public static func read(camera: String, directory: String) -> WorkerStatus? {
        guard let data = FileManager.default.contents(atPath: path(camera: camera, directory: directory)) else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode(WorkerStatus.self, from: data)
    }

    /// Seconds since the file was last written, nil if there is none.
    public static func age(camera: String, directory: String) -> Double? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path(camera: camera, directory: directory)),
              let modified = attributes[.modificationDate] as? Date else { return nil }
        return Date().timeIntervalSince(modified)
    }

    /// A camera's state as `vigil status` names it, and its status when it has one: a state
    /// file that stopped being refreshed belongs to a worker that is gone.
    public static func displayState(camera: String, directory: String) -> (state: String, status: WorkerStatus?) {
        guard let status = read(camera: camera, directory: directory) else { return ("never ran", nil) }
        let running = (age(camera: camera, directory: directory) ?? .infinity) < 5 && kill(status.pid, 0) == 0
        return (running || status.state == .stopped || status.state == .finished ? status.state.rawValue : "not running", status)
    }
}
