import Foundation

/// The page's files (HTML, CSS, JavaScript modules), shipped inside Vigil and read once:
/// no CDN and no build step. Only these names are ever served.
public struct ConsoleAssets: Sendable {
    public struct Asset: Sendable {
        public var bytes: [UInt8]
        public var contentType: String
    }
    public let files: [String: Asset]

    public static func load() throws -> ConsoleAssets {
        guard let root = Bundle.module.resourceURL?.appendingPathComponent("Assets") else {
            throw ConsoleOptions.StartError(description: "the console's page files are missing from this installation")
        }
        var files: [String: Asset] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: root.path) {
            guard let data = FileManager.default.contents(atPath: root.appendingPathComponent(name).path) else { continue }
            files[name] = Asset(bytes: Array(data), contentType: contentType(name))
        }
        guard files["index.html"] != nil else { throw ConsoleOptions.StartError(description: "the console's index.html is missing") }
        return ConsoleAssets(files: files)
    }

    static func contentType(_ name: String) -> String {
        switch (name as NSString).pathExtension {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js", "mjs": return "text/javascript; charset=utf-8"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "json": return "application/json"
        default: return "application/octet-stream"
        }
    }
}
