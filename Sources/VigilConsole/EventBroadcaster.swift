import Synchronization

/// Hands newly indexed events to every open live stream (Server-Sent Events). A slow
/// browser loses only its own oldest buffered messages, never anyone else's; what it
/// missed it gets back from the index when it reconnects with Last-Event-ID.
public final class EventBroadcaster: Sendable {
    public enum Message: Sendable {
        case item(EventIndex.Item)
        /// Keeps idle connections (and proxies between) from timing out.
        case ping
    }

    private let subscribers = Mutex<[Int: AsyncStream<Message>.Continuation]>([:])
    private let nextID = Mutex(0)
    public static let bufferPerSubscriber = 2000

    public init() {}

    public func subscribe() -> AsyncStream<Message> {
        let id = nextID.withLock { value in value += 1; return value }
        let (stream, continuation) = AsyncStream<Message>.makeStream(bufferingPolicy: .bufferingNewest(Self.bufferPerSubscriber))
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    public func publish(_ message: Message) {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(message) }
    }

    public var subscriberCount: Int { subscribers.withLock { $0.count } }

    /// Ends every stream (server shutdown).
    public func finishAll() {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.finish() }
    }
}
