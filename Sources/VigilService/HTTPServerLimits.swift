import Hummingbird
import HummingbirdCore
import NIOCore

/// Time and size limits for every HTTP server Vigil runs (the worker's metrics now, the
/// console later), so a slow or hostile client cannot hold connections open.
public struct HTTPServerLimits: Sendable {
    /// A whole request (head and body) must arrive within this of the connection opening
    /// or of the previous response.
    public var requestTimeout: TimeAmount = .seconds(10)
    /// A connection with nothing in flight is closed after this.
    public var idleTimeout: TimeAmount = .seconds(30)
    /// Largest header block accepted.
    public var maxHeaderBytes = 16 << 10

    public init() {}

    public var server: HTTPServerBuilder {
        let timeout = requestTimeout
        var configuration = HTTP1Channel.Configuration(
            additionalChannelHandlers: [HTTPDeadlineHandler(requestTimeout: timeout)],
            idleTimeout: idleTimeout)
        configuration.httpDecoder.maxHeaderListSize = maxHeaderBytes
        configuration.httpDecoder.maxHeaderFieldSize = maxHeaderBytes
        return .http1(configuration: configuration)
    }
}
