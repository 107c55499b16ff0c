import ArgumentParser
import VigilConfig
import VigilMedia
import VigilPipeline
import VigilVision
#if canImport(Glibc)
import Glibc
#endif

/// Exit codes are part of the interface: scripts and supervisors act on them.
enum ExitStatus {
    static let usage: Int32 = 2
    static let badInput: Int32 = 3
    static let incompleteInput: Int32 = 4
}

@main
struct Vigil: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Video analytics for city operations centres.",
        discussion: """
        Exit codes: 0 success; 1 an output could not be written; 2 usage or configuration error; \
        3 the input cannot be opened or decoded; 4 the input is truncated or damaged (the decodable \
        part was analysed and every output written).
        """,
        subcommands: [Analyze.self, Calibrate.self, Synth.self, Queue.self, Worker.self, Run.self, Status.self, Validate.self, Console.self, Forward.self]
    )

    /// ArgumentParser exits 64 on usage errors; Vigil documents 2, as most Unix tools do.
    static func main() {
        MediaLog.setFFmpegLevel(.quiet)
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandleOutput.standardError(fullMessage(for: error))
                Glibc.exit(ExitStatus.usage)
            }
            exit(withError: error)
        }
    }
}

enum FileHandleOutput {
    static func standardError(_ text: String) {
        raw(text.hasSuffix("\n") ? text : text + "\n")
    }

    /// Unbuffered, so a message is never lost to an exit that skips stdio's flush.
    static func raw(_ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
            if written <= 0 { if errno == EINTR { continue } else { return } }
            bytes = bytes.dropFirst(written)
        }
    }
}

/// Loads a configuration file; on any problem prints every issue and exits 2.
/// The object-class model for a camera: `override`, else the camera's `classes_model`
/// (relative to its config file), else the one shipped in Models/. A bad file exits 2.
func loadClassifier(override: String?, camera: CameraSettings?) throws -> (ObjectClassifier, String)? {
    // Paths in a loaded configuration are resolved already (ConfigLoader.resolvingPaths).
    let configured = camera?.classesModel
    guard let path = override ?? configured ?? ModelFiles.defaultClassesPath() else { return nil }
    do {
        return (try ModelFiles.classifier(at: path), path)
    } catch {
        FileHandleOutput.standardError("vigil: \(error)")
        throw ExitCode(ExitStatus.usage)
    }
}

/// The people-count model for a camera: `override`, else the camera's `model` (relative to
/// its config file), else the perspective-only default shipped in Models/crowd.json (built
/// in when that file is not installed). A bad file exits 2.
func loadCrowdModel(override: String?, camera: CameraSettings?) throws -> (model: CrowdModel, source: String) {
    let configured = camera?.model
    guard let path = override ?? configured ?? ModelFiles.defaultCrowdPath() else { return (.perspectiveOnly, "perspective only (built in)") }
    do {
        return (try ModelFiles.crowdModel(at: path), path)
    } catch {
        FileHandleOutput.standardError("vigil: \(error)")
        throw ExitCode(ExitStatus.usage)
    }
}

func loadConfiguration(_ path: String) throws -> VigilConfiguration {
    do {
        return try ConfigLoader.load(path: path)
    } catch let error as ConfigError {
        FileHandleOutput.standardError("vigil: \(error)")
        throw ExitCode(ExitStatus.usage)
    }
}
