import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization
import VigilConfig
import VigilEvents

/// The operator console: the page, its JSON API and the live alarm stream, on one
/// Hummingbird server. It reads the queue (through its index), the workers' state files
/// and pictures, and writes only acknowledgements, which go to the queue like any event.
public final class ConsoleServer: Sendable {
    public let options: ConsoleOptions
    public let index: EventIndex
    public let broadcaster = EventBroadcaster()
    public let sessions: SessionStore
    public let throttle = LoginThrottle()
    let board: CameraBoard
    let assets: ConsoleAssets
    let localTime: LocalTime
    let logger: Logger
    private let acknowledgementWriter: Mutex<QueueWriter?>

    public init(options: ConsoleOptions, logger: Logger) throws {
        self.options = options
        self.logger = logger
        index = try EventIndex(path: options.indexPath)
        sessions = SessionStore(idleSeconds: options.settings.sessionIdleMinutes * 60)
        localTime = LocalTime(zoneName: options.settings.timeZone)
        board = CameraBoard(cameras: options.cameras, stateDirectory: options.stateDirectory, staleAfter: options.stalledAfter,
                            index: index, localTime: localTime)
        assets = try ConsoleAssets.load()
        acknowledgementWriter = Mutex(nil)
        feeder = IndexFeeder(queueDirectory: options.queueDirectory, index: index, broadcaster: broadcaster, logger: logger)
    }

    public let feeder: IndexFeeder

    // MARK: Routes

    public func router() -> Router<ConsoleContext> {
        let router = Router(context: ConsoleContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: AuthMiddleware(sessions: sessions, open: options.users == nil))

        router.get("/") { [self] _, _ in page() }
        router.get("/kiosk") { [self] _, _ in page() }
        router.get("/assets/:name") { [self] _, context in
            guard let name = context.parameters.get("name"), let asset = assets.files[name] else { return Response(status: .notFound) }
            return Response(status: .ok, headers: [.contentType: asset.contentType, .cacheControl: "no-cache"],
                            body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
        }
        // Browsers ask for /favicon.ico whatever the page says.
        router.get("/favicon.ico") { [self] _, _ in
            let icon = assets.files["icon.svg"]!
            return Response(status: .ok, headers: [.contentType: icon.contentType, .cacheControl: "max-age=86400"], body: .init(byteBuffer: ByteBuffer(bytes: icon.bytes)))
        }
        router.get("/healthz") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n"))) }

        router.get("/api/session") { [self] _, context in try session(context) }
        router.post("/api/login") { [self] request, context in try await login(request, context) }
        router.post("/api/logout") { [self] _, context in
            if let token = context.sessionToken { sessions.close(token) }
            var response = try JSONResponse.make(["signed_out": true])
            response.headers[.setCookie] = "\(AuthMiddleware.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
            return response
        }

        router.get("/api/cameras") { [self] _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: try board.currentJSON())))
        }
        router.get("/api/cameras/:id/picture.jpg") { [self] _, context in
            cameraFile(context.parameters.get("id"), suffix: ".jpg", type: "image/jpeg")
        }
        router.get("/api/cameras/:id/heatmap.png") { [self] _, context in
            cameraFile(context.parameters.get("id"), suffix: "-heatmap.png", type: "image/png")
        }
        router.get("/snapshots/**") { [self] _, context in
            let relative = context.parameters.getCatchAll().joined(separator: "/")
            guard let path = SafePath.resolve(relative, inside: options.queueDirectory + "/snapshots"),
                  let data = FileManager.default.contents(atPath: path) else {
                return try JSONResponse.error("no such snapshot", status: .notFound)
            }
            return Response(status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "private, max-age=86400"],
                            body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        router.get("/clips/**") { [self] request, context in try await clip(request, context) }

        router.get("/api/events") { [self] request, _ in
            switch query(request) {
            case let .failure(message): return try JSONResponse.error(message, status: .badRequest)
            case let .success(query):
                let items = try index.search(query)
                let next = items.count == query.limit ? items.last?.cursor : nil
                return try JSONResponse.make(EventPage(items: items, next: next))
            }
        }
        router.get("/api/events.csv") { [self] request, _ in try csv(request) }
        router.get("/api/events/stream") { [self] request, _ in stream(request) }
        router.post("/api/events/:offset/ack") { [self] request, context in try await acknowledge(request, context) }

        addLayoutRoutes(to: router)
        router.get("/api/traffic") { [self] request, _ in try traffic(request) }
        router.get("/api/crowd") { [self] request, _ in try crowd(request) }
        return router
    }

    /// An event clip, in byte ranges as a browser's video player asks for them (it seeks
    /// through the file without loading all of it).
    private func clip(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        let relative = context.parameters.getCatchAll().joined(separator: "/")
        guard let path = SafePath.resolve(relative, inside: options.queueDirectory + "/clips"),
              let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.intValue, size > 0 else {
            if let partial = SafePath.resolve(relative + ".part", inside: options.queueDirectory + "/clips"),
               FileManager.default.fileExists(atPath: partial) {
                return try JSONResponse.error("the clip is still being recorded", status: .notFound)
            }
            return try JSONResponse.error("no such clip", status: .notFound)
        }
        let type = path.hasSuffix(".mp4") ? "video/mp4" : "video/x-matroska"
        var headers: HTTPFields = [.contentType: type, .acceptRanges: "bytes", .cacheControl: "private, max-age=86400"]
        if let range = request.headers[.range].flatMap({ Self.byteRange($0, size: size) }) {
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"
            headers[.contentLength] = String(range.count)
            let body = try await FileIO().loadFile(path: path, range: range, context: context)
            return Response(status: .partialContent, headers: headers, body: body)
        }
        headers[.contentLength] = String(size)
        return Response(status: .ok, headers: headers, body: try await FileIO().loadFile(path: path, context: context))
    }

    /// `bytes=A-B`, `bytes=A-` or `bytes=-N` within a file of `size` bytes; nil for anything else.
    static func byteRange(_ header: String, size: Int) -> ClosedRange<Int>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let parts = header.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0 else { return nil }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int(parts[0]), start >= 0, start < size else { return nil }
        let end = parts[1].isEmpty ? size - 1 : min(Int(parts[1]) ?? -1, size - 1)
        return end >= start ? start...end : nil
    }

    /// A file a worker writes for its camera in the state folder (only configured cameras).
    private func cameraFile(_ id: String?, suffix: String, type: String) -> Response {
        guard let id, board.cameras.contains(where: { $0.id == id }),
              let path = SafePath.resolve(id + suffix, inside: options.stateDirectory),
              let data = FileManager.default.contents(atPath: path) else {
            return (try? JSONResponse.error("nothing from this camera yet", status: .notFound)) ?? Response(status: .notFound)
        }
        return Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct EventPage: Encodable {
        var items: [EventIndex.Item]
        var next: String?
    }

    private func page() -> Response {
        let asset = assets.files["index.html"]!
        return Response(status: .ok, headers: [.contentType: asset.contentType], body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }

    // MARK: Sessions

    struct SessionView: Encodable {
        var user: ConsoleUser?
        var open: Bool
        var language: String
        var timeZone: String
        var alarmTypes: [String]
        var eventTypes: [String]
    }

    private func session(_ context: ConsoleContext) throws -> Response {
        try JSONResponse.make(SessionView(user: context.user, open: options.users == nil, language: options.settings.language.rawValue,
                                          timeZone: options.settings.timeZone, alarmTypes: CameraBoard.alarmTypes.map(\.rawValue),
                                          eventTypes: EventType.allCases.map(\.rawValue)))
    }

    struct LoginRequest: Decodable { var name: String; var password: String }

    private func login(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        guard let users = options.users else { return try JSONResponse.make(["user": "local"]) }
        guard request.headers[.contentType]?.hasPrefix("application/json") == true else {
            return try JSONResponse.error("send JSON", status: .unsupportedMediaType)
        }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        guard let login = try? JSONDecoder().decode(LoginRequest.self, from: Data(buffer: body)), login.name.count <= 128, login.password.count <= 1024 else {
            return try JSONResponse.error("expected {\"name\": …, \"password\": …}", status: .badRequest)
        }
        if let wait = throttle.retryAfter(address: context.address, name: login.name) {
            var response = try JSONResponse.error("too many failed sign-ins; try again in \(Int(wait.rounded(.up))) s", status: .tooManyRequests)
            response.headers[.retryAfter] = "\(Int(wait.rounded(.up)))"
            return response
        }
        // PBKDF2 takes ~0.1 s of CPU: off the event loop's threads.
        let user = await Task.detached { users.authenticate(name: login.name, password: login.password) }.value
        guard let user else {
            throttle.recordFailure(address: context.address, name: login.name)
            logger.notice("console sign-in failed", metadata: ["name": "\(login.name)", "from": "\(context.address)"])
            return try JSONResponse.error("wrong name or password", status: .unauthorized)
        }
        throttle.recordSuccess(address: context.address, name: login.name)
        let token = sessions.open(for: user)
        logger.info("console sign-in", metadata: ["name": "\(user.name)", "role": "\(user.role.rawValue)", "from": "\(context.address)"])
        var response = try JSONResponse.make(user)
        response.headers[.setCookie] = "\(AuthMiddleware.cookieName)=\(token); Path=/; HttpOnly; SameSite=Strict"
        return response
    }

    // MARK: Events

    enum Parsed<Value> { case success(Value), failure(String) }

    func query(_ request: Request) -> Parsed<EventQuery> {
        let parameters = request.uri.queryParameters
        var query = EventQuery()
        func text(_ name: String) -> String? { parameters.get(name).flatMap { $0.isEmpty ? nil : $0 } }
        query.camera = text("camera")
        query.type = text("type")
        query.zone = text("zone")
        if let type = query.type, EventType(rawValue: type) == nil { return .failure("unknown event type '\(type)'") }
        if let since = text("since") {
            guard let value = localTime.milliseconds(since) else { return .failure("since: expected a time like 2026-12-02T08:30, found '\(since)'") }
            query.sinceMs = value
        }
        if let until = text("until") {
            guard let value = localTime.milliseconds(until) else { return .failure("until: expected a time like 2026-12-02T18:00, found '\(until)'") }
            query.untilMs = value
        }
        if let limit = text("limit") {
            guard let value = Int(limit), value >= 1, value <= EventQuery.largestPage else { return .failure("limit: 1 to \(EventQuery.largestPage)") }
            query.limit = value
        }
        if let before = text("before") {
            guard let cursor = EventCursor(before) else { return .failure("before: expected a cursor from a previous page") }
            query.before = cursor
        }
        query.unacknowledgedOnly = text("unacknowledged") == "1" || text("unacknowledged") == "true"
        query.includeAcknowledgements = text("acknowledgements") == "1"
        return .success(query)
    }

    private func csv(_ request: Request) throws -> Response {
        guard case var .success(query) = query(request) else {
            if case let .failure(message) = query(request) { return try JSONResponse.error(message, status: .badRequest) }
            return Response(status: .badRequest)
        }
        query.limit = EventQuery.largestPage
        var text = "offset,time,camera,type,state,zone,line,direction,class,track,acknowledged_by,acknowledged_at,note,data\r\n"
        var rows = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Up to 100,000 rows, a page at a time so memory stays bounded by the page.
        while rows < 100_000 {
            let items = try index.search(query)
            for item in items {
                let event = item.event
                let data = try event.data.map { String(decoding: try encoder.encode($0), as: UTF8.self) } ?? ""
                let fields: [String] = [event.offset.map(String.init) ?? "", event.time, event.camera, event.type.rawValue, event.state?.rawValue ?? "",
                                        event.zone ?? "", event.line ?? "", event.direction ?? "", event.objectClass?.rawValue ?? "",
                                        event.track.map(String.init) ?? "", item.acknowledgement?.user ?? "", item.acknowledgement?.time ?? "",
                                        item.acknowledgement?.note ?? "", data]
                text += fields.map(Self.csvField).joined(separator: ",") + "\r\n"
            }
            rows += items.count
            guard items.count == query.limit, let last = items.last else { break }
            query.before = EventCursor(last.cursor)
        }
        return Response(status: .ok, headers: [.contentType: "text/csv; charset=utf-8",
                                               .contentDisposition: "attachment; filename=\"vigil-events.csv\""],
                        body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// RFC 4180 quoting; a leading =, +, - or @ is prefixed so a spreadsheet does not run it as a formula.
    static func csvField(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Server-Sent Events: `id:` is the queue offset, so a browser that reconnects sends
    /// Last-Event-ID and gets everything after it from the index before the live events.
    private func stream(_ request: Request) -> Response {
        let lastID = request.headers[.init("Last-Event-ID")!].flatMap { Int64($0) }
            ?? request.uri.queryParameters.get("after").flatMap { Int64($0) }
        let index = index
        let live = broadcaster.subscribe()
        let body = ResponseBody { writer in
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            func frame(_ item: EventIndex.Item) throws -> ByteBuffer {
                let json = String(decoding: try encoder.encode(item), as: UTF8.self)
                return ByteBuffer(string: "id: \(item.event.offset ?? 0)\nevent: event\ndata: \(json)\n\n")
            }
            try await writer.write(ByteBuffer(string: "retry: 1000\n: connected\n\n"))
            var sent = lastID ?? -1
            if let lastID {
                // Catch up from the index in pages; live events that arrive meanwhile wait in the stream.
                while true {
                    let missed = try index.events(after: sent, limit: 500)
                    for item in missed { try await writer.write(try frame(item)); sent = item.event.offset.map(Int64.init) ?? sent }
                    if missed.count < 500 { break }
                }
            }
            for await message in live {
                switch message {
                case let .item(item):
                    guard let offset = item.event.offset.map(Int64.init), offset > sent else { continue }
                    try await writer.write(try frame(item))
                    sent = offset
                case .ping:
                    try await writer.write(ByteBuffer(string: ": ping\n\n"))
                }
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-store"], body: body)
    }

    struct AcknowledgeRequest: Decodable { var note: String? }
    struct AcknowledgeResult: Encodable { var offset: UInt64; var acknowledges: UInt64 }

    private func acknowledge(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        guard let user = context.user else { return try JSONResponse.error("sign in first", status: .unauthorized) }
        guard user.canAcknowledge else { return try JSONResponse.error("your role (\(user.role.rawValue)) cannot acknowledge alarms", status: .forbidden) }
        guard request.headers[.contentType]?.hasPrefix("application/json") == true else {
            return try JSONResponse.error("send JSON", status: .unsupportedMediaType)
        }
        guard let text = context.parameters.get("offset"), let target = UInt64(text) else { return try JSONResponse.error("not an event offset", status: .badRequest) }
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        let note = (body.readableBytes == 0 ? nil : try? JSONDecoder().decode(AcknowledgeRequest.self, from: Data(buffer: body)))?.note
        if let note, note.count > 2000 { return try JSONResponse.error("the note is longer than 2,000 characters", status: .badRequest) }
        guard let item = try index.event(at: target) else { return try JSONResponse.error("no event at offset \(target)", status: .notFound) }
        if let existing = item.acknowledgement {
            return try JSONResponse.error("already acknowledged by \(existing.user) at \(existing.time)", status: .conflict)
        }
        var data: [String: JSONValue] = ["acknowledges": .int(Int64(target)), "user": .string(user.name), "event_type": .string(item.event.type.rawValue)]
        if let note, !note.isEmpty { data["note"] = .string(note) }
        let event = Event(type: .acknowledgement, camera: item.event.camera, zone: item.event.zone, data: data)
        try event.validate()
        // The append syncs to disk before we answer: an acknowledgement shown as done is durable.
        let offset = try appendToQueue(event)
        logger.info("alarm acknowledged", metadata: ["offset": "\(target)", "user": "\(user.name)"])
        return try JSONResponse.make(AcknowledgeResult(offset: offset, acknowledges: target), status: .created)
    }

    /// Appends one event the console itself raises (acknowledgements, config changes).
    func appendToQueue(_ event: Event) throws -> UInt64 {
        let directory = options.queueDirectory
        let queueOptions = QueueOptions()
        return try acknowledgementWriter.withLock { writer -> UInt64 in
            if writer == nil { writer = try QueueWriter(directory: directory, options: queueOptions) }
            return try writer!.append([event])[0]
        }
    }

    // MARK: Charts

    struct TrafficSeries: Encodable { var line: String; var direction: String; var buckets: [[Int64]] }
    struct TrafficView: Encodable { var camera: String; var bucketMinutes: Int; var sinceMs: Int64; var series: [TrafficSeries] }

    private func traffic(_ request: Request) throws -> Response {
        let parameters = request.uri.queryParameters
        guard let camera = parameters.get("camera"), board.cameras.contains(where: { $0.id == camera }) else {
            return try JSONResponse.error("camera: one of the configured cameras", status: .badRequest)
        }
        let minutes = parameters.get("bucket").flatMap(Int.init) ?? 15
        guard [5, 15, 60].contains(minutes) else { return try JSONResponse.error("bucket: 5, 15 or 60 minutes", status: .badRequest) }
        let hours = min(max(parameters.get("hours").flatMap(Int.init) ?? 24, 1), 24 * 7)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let bucketMs = Int64(minutes) * 60_000
        let since = (now - Int64(hours) * 3_600_000) / bucketMs * bucketMs
        var series: [String: TrafficSeries] = [:]
        for bucket in try index.lineCounts(camera: camera, sinceMs: since, bucketSeconds: minutes * 60) {
            let key = bucket.line + "\u{0}" + bucket.direction
            series[key, default: TrafficSeries(line: bucket.line, direction: bucket.direction, buckets: [])].buckets.append([bucket.bucketMs, Int64(bucket.count)])
        }
        return try JSONResponse.make(TrafficView(camera: camera, bucketMinutes: minutes, sinceMs: since,
                                                 series: series.values.sorted { ($0.line, $0.direction) < ($1.line, $1.direction) }))
    }

    struct CrowdView: Encodable { var camera: String; var sinceMs: Int64; var samples: [EventIndex.ZoneSample]; var levels: [EventIndex.Item] }

    private func crowd(_ request: Request) throws -> Response {
        let parameters = request.uri.queryParameters
        guard let camera = parameters.get("camera"), board.cameras.contains(where: { $0.id == camera }) else {
            return try JSONResponse.error("camera: one of the configured cameras", status: .badRequest)
        }
        let hours = min(max(parameters.get("hours").flatMap(Int.init) ?? 24, 1), 24 * 7)
        let since = Int64(Date().timeIntervalSince1970 * 1000) - Int64(hours) * 3_600_000
        var query = EventQuery()
        query.camera = camera
        query.type = EventType.crowdLevel.rawValue
        query.sinceMs = since
        query.limit = EventQuery.largestPage
        return try JSONResponse.make(CrowdView(camera: camera, sinceMs: since, samples: try index.samples(camera: camera, sinceMs: since),
                                               levels: try index.search(query)))
    }

    /// The cameras of a changed configuration file (the console follows edits as workers do).
    public func configurationChanged(_ configuration: VigilConfiguration) {
        board.update(configuration.cameras)
    }

    // MARK: Sampling

    /// Every `interval`, records each camera's people and objects per zone from its state
    /// file, for the crowd chart (the workers report the present; the console keeps the past).
    public func sampleZones() throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for camera in try board.current() where camera.state == "streaming" {
            let samples = camera.zones.map { EventIndex.ZoneSample(zone: $0.id, timeMs: now, people: $0.people, persons: $0.persons ?? 0, vehicles: $0.vehicles ?? 0) }
            if !samples.isEmpty { try index.addSamples(camera: camera.id, timeMs: now, samples) }
        }
    }
}
