#if canImport(Glibc)
import Glibc
#endif

/// This machine's host name, as a site name (characters a site may not hold become '-').
public enum MachineName {
    public static var current: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let cleaned = String(name.prefix(63).map { ForwardSettings.isSiteName(String($0)) ? $0 : "-" })
        return cleaned.isEmpty ? "localhost" : cleaned
    }
}

extension VigilConfiguration {
    /// The cameras `vigil run --host NAME` runs: those whose `host:` is NAME. Without a name, all.
    public func cameras(forHost host: String?) -> [CameraSettings] {
        guard let host else { return cameras }
        return cameras.filter { $0.host == host }
    }

    /// The name this host's events and rows carry: `--host`, else `forward.site`, else the machine's.
    public func site(host: String?) -> String { host ?? forward?.site ?? MachineName.current }

    /// What a worker stamps on its events: its host when the config or the command names one,
    /// or the forwarder's site when events are forwarded; nil for a lone host that names none.
    public func eventSite(host: String?, camera: CameraSettings) -> String? {
        host ?? camera.host ?? (forward != nil ? site(host: nil) : nil)
    }
}
