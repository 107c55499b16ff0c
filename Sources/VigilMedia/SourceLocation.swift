

/// A source as the user named it: a file path or a URL. Its display form never
/// carries credentials, so it is safe in errors, logs, events and metrics.
public struct SourceLocation: Sendable, Equatable, CustomStringConvertible {
    public let raw: String
    /// True for anything with a scheme FFmpeg treats as a protocol (rtsp://, http://, udp://, file:…).
    /// Worked out once: the ingest asks for every frame and packet, and the string work
    /// showed in a camera's profile.
    public let isNetwork: Bool

    public init(_ raw: String) {
        self.raw = raw
        isNetwork = Self.hasNetworkScheme(raw)
    }

    private static func hasNetworkScheme(_ raw: String) -> Bool {
        guard let range = raw.firstRange(of: "://") else { return false }
        let scheme = raw[raw.startIndex..<range.lowerBound].lowercased()
        return scheme != "file" && !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" }
    }

    public var scheme: String? {
        guard let range = raw.firstRange(of: "://") else { return nil }
        return raw[raw.startIndex..<range.lowerBound].lowercased()
    }

    /// The URL with any `user:password@` and the values of query parameters that look
    /// like secrets (`token=`, `password=`, `key=`, `auth=`, `signature=`…) replaced by `***`.
    public var redacted: String {
        guard let schemeEnd = raw.firstRange(of: "://") else { return raw }
        let rest = raw[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        let authority = rest[rest.startIndex..<authorityEnd]
        var shown = String(raw[raw.startIndex..<schemeEnd.upperBound])
        if let at = authority.lastIndex(of: "@") {
            shown += "***@" + String(authority[authority.index(after: at)...])
        } else {
            shown += String(authority)
        }
        let afterAuthority = rest[authorityEnd...]
        guard let question = afterAuthority.firstIndex(of: "?") else { return shown + String(afterAuthority) }
        shown += String(afterAuthority[..<question]) + "?"
        let queryAndFragment = afterAuthority[afterAuthority.index(after: question)...]
        let fragmentStart = queryAndFragment.firstIndex(of: "#") ?? queryAndFragment.endIndex
        let parameters = queryAndFragment[..<fragmentStart].split(separator: "&", omittingEmptySubsequences: false).map { parameter -> String in
            guard let equals = parameter.firstIndex(of: "=") else { return String(parameter) }
            let name = parameter[..<equals]
            return Self.looksSecret(name) ? String(name) + "=***" : String(parameter)
        }
        return shown + parameters.joined(separator: "&") + String(queryAndFragment[fragmentStart...])
    }

    /// Parameter names cameras and video services use for credentials.
    static func looksSecret(_ name: Substring) -> Bool {
        let lowered = name.lowercased().removingPercentEncodingLoosely()
        return ["token", "pass", "pwd", "key", "auth", "sig", "secret", "credential", "session", "jwt", "ticket"].contains { lowered.contains($0) }
    }
    public var description: String { redacted }
}

extension String {
    /// Decodes %XX escapes where they are valid (enough to see `pass%77ord` as `password`).
    func removingPercentEncodingLoosely() -> String {
        var bytes: [UInt8] = []
        var iterator = Array(utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
               let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
