import Foundation
import Hummingbird
import VigilConfig
import VigilEvents
import VigilService

/// The editor's API: a camera's zones, lines, perspective and ground as JSON, and saving
/// them into the configuration file (operators only). The file is changed by `ConfigEditor`
/// (every other line kept), validated by the config reader, saved atomically with a backup;
/// the change is recorded in the queue, and the running workers are told to reload at once.
extension ConsoleServer {
    struct LayoutView: Codable {
        var camera: String
        var layout: [String: LayoutValue]
        /// The camera's settings checksum, as its worker reports it once the change is applied.
        var version: String?
    }

    struct LayoutSave: Decodable { var layout: [String: LayoutValue] }

    struct SaveResult: Encodable {
        var version: String
        var backup: String
        var offset: UInt64?
    }

    struct IssueView: Encodable { var field: String; var message: String; var line: Int? }
    struct RefusedView: Encodable { var error: String; var issues: [IssueView] }

    func addLayoutRoutes(to router: Router<ConsoleContext>) {
        router.get("/api/cameras/:id/layout") { [self] _, context in
            guard let path = options.configPath else { return try JSONResponse.error("the console was started without a configuration file", status: .notFound) }
            guard let id = context.parameters.get("id") else { return Response(status: .badRequest) }
            let text = try String(contentsOfFile: path, encoding: .utf8)
            do {
                let layout = try ConfigEditor.layout(of: id, in: text)
                // The version a worker reports: of the settings as loaded, paths resolved.
                let version = (try? ConfigLoader.load(path: path))?.camera(id).map(CameraWorker.version(of:))
                return try JSONResponse.make(LayoutView(camera: id, layout: layout, version: version))
            } catch let error as ConfigEditor.EditError {
                return try JSONResponse.error(error.description, status: .notFound)
            }
        }
        router.put("/api/cameras/:id/layout") { [self] request, context in try await saveLayout(request, context) }
    }

    private func saveLayout(_ request: Request, _ context: ConsoleContext) async throws -> Response {
        guard let user = context.user else { return try JSONResponse.error("sign in first", status: .unauthorized) }
        guard user.canAcknowledge else { return try JSONResponse.error("your role (\(user.role.rawValue)) cannot change cameras", status: .forbidden) }
        guard request.headers[.contentType]?.hasPrefix("application/json") == true else { return try JSONResponse.error("send JSON", status: .unsupportedMediaType) }
        guard let path = options.configPath else { return try JSONResponse.error("the console was started without a configuration file", status: .notFound) }
        guard let id = context.parameters.get("id") else { return Response(status: .badRequest) }
        let body = try await request.body.collect(upTo: 1 << 20)
        guard let save = try? JSONDecoder().decode(LayoutSave.self, from: Data(buffer: body)) else {
            return try JSONResponse.error("expected {\"layout\": {\"zones\": […], \"lines\": […]}}", status: .badRequest)
        }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let edited: String
        do {
            edited = try ConfigEditor.apply(save.layout, to: id, in: text, file: path)
        } catch let error as ConfigError {
            return try JSONResponse.make(RefusedView(error: "the configuration would not be valid", issues: error.issues.map {
                IssueView(field: $0.field, message: $0.message, line: $0.line)
            }), status: .unprocessableContent)
        } catch let error as ConfigEditor.EditError {
            return try JSONResponse.error(error.description, status: .badRequest)
        }
        let backup = try ConfigEditor.save(edited, to: path)
        let camera = try ConfigLoader.load(path: path).camera(id)!
        let version = CameraWorker.version(of: camera)
        // Who changed what, next to the events it affects.
        let event = Event(type: .configChange, camera: id, data: ["user": .string(user.name), "version": .string(version),
                                                                  "backup": .string((backup as NSString).lastPathComponent)])
        let offset = try? appendToQueue(event)
        logger.notice("camera settings changed in the console", metadata: ["camera": "\(id)", "user": "\(user.name)", "version": "\(version)"])
        signalWorkers()
        return try JSONResponse.make(SaveResult(version: version, backup: (backup as NSString).lastPathComponent, offset: offset))
    }

    /// Workers reload on their own within a second; SIGHUP makes it immediate for those on
    /// this host (their state files name their process).
    private func signalWorkers() {
        for camera in board.cameras {
            guard let status = WorkerStatusFile.read(camera: camera.id, directory: options.stateDirectory),
                  (WorkerStatusFile.age(camera: camera.id, directory: options.stateDirectory) ?? .infinity) < 5 else { continue }
            kill(status.pid, SIGHUP)
        }
    }
}
