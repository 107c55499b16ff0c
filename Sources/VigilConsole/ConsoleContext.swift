import Hummingbird
import NIOCore

/// Per-request state: who is asking (set by `AuthMiddleware`) and from where.
public struct ConsoleContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var user: ConsoleUser?
    public var sessionToken: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Acknowledgement notes and login bodies are small.
    public var maxUploadSize: Int { 16 << 10 }

    var address: String { remoteAddress?.ipAddress ?? "unknown" }
}
