

/// A source as the user named it: a file path or a URL. Its display form never
/// carries credentials, so it is safe in errors, logs, events and metrics.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public let raw: String

    public init(_ raw: String) { self.raw = raw }

    /// True for anything with a scheme FFmpeg treats as a protocol (rtsp://, http://, udp://, file:…).
    public var isNetwork: Bool {
        guard let range = raw.firstRange(of: "://") else { return false }
        let scheme = raw[raw.startIndex..<range.lowerBound].lowercased()
        return scheme != "file" && !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" }
    }

    public var scheme: String? {
        guard let range = raw.firstRange(of: "://") else { return nil }
        return raw[raw.startIndex..<range.lowerBound].lowercased()
    }

    /// The URL with any `user:password@` removed.
    public var redacted: String {
        guard let schemeEnd = raw.firstRange(of: "://") else { return raw }
        let rest = raw[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[rest.startIndex..<authorityEnd]
        guard let at = authority.lastIndex(of: "@") else { return raw }
        return String(raw[raw.startIndex..<schemeEnd.upperBound]) + "***@" + String(raw[raw.index(after: at)...])
    }

    public var description: String { redacted }
}
