import ArgumentParser
import FoundationEssentials
import VigilConfig
import VigilEvents
#if canImport(Glibc)
import Glibc
#endif

struct Queue: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read, inspect and append to the event queue.",
        subcommands: [QueueTail.self, QueueStat.self, QueueAppend.self]
    )
}

/// `--queue DIR`, or the `queue.path` of `--config FILE`.
struct QueueLocation: ParsableArguments {
    @Option(help: "Queue folder (overrides the configuration's queue.path).")
    var queue: String?

    @Option(help: "Configuration file whose queue.path to use.")
    var config: String?

    func resolve() throws -> (directory: String, options: QueueOptions) {
        var options = QueueOptions()
        var directory = queue
        if let config {
            if let settings = try loadConfiguration(config).queue {
                directory = directory ?? settings.path
                options = queueOptions(settings)
            }
        }
        guard let directory else {
            FileHandleOutput.standardError("vigil: give --queue DIR, or --config FILE with a queue.path")
            throw ExitCode(ExitStatus.usage)
        }
        return (directory, options)
    }
}

struct QueueTail: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print records as JSON Lines, optionally following new ones.",
        discussion: "With --group, the group's position is committed after each batch is written to stdout, so a restarted consumer resumes where it stopped (records may repeat after a crash, never go missing)."
    )

    @OptionGroup var location: QueueLocation

    @Flag(help: "Keep waiting for new records.")
    var follow = false

    @Option(help: "Start: earliest, latest or an offset (default: the group's position, else earliest).")
    var from: String?

    @Option(help: "Consumer group whose position to resume from and commit.")
    var group: String?

    @Option(help: "Only records of this event type.")
    var type: String?

    @Option(help: "Only records of this camera.")
    var camera: String?

    @Option(help: "Stop after this many records.")
    var limit: Int?

    func validate() throws {
        if let from, from != "earliest", from != "latest", UInt64(from) == nil {
            throw ValidationError("--from takes earliest, latest or an offset")
        }
        if let type, EventType(rawValue: type) == nil {
            throw ValidationError("--type must be one of: \(EventType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let limit, limit <= 0 { throw ValidationError("--limit must be above 0") }
    }

    func run() throws {
        let (directory, _) = try location.resolve()
        signal(SIGPIPE, SIG_IGN)
        do {
            let consumer = try group.map { try ConsumerGroup(queueDirectory: directory, name: $0) }
            var start = QueueStart.earliest
            if let from {
                start = from == "earliest" ? .earliest : from == "latest" ? .latest : .offset(UInt64(from)!)
            } else if let committed = try consumer?.committed() {
                start = .offset(committed)
            }
            let reader = try QueueReader(directory: directory, from: start)
            let typeFilter = type.map { "\"type\":\"\($0)\"" }.map { Array($0.utf8) }
            let cameraFilter = camera.map { "\"camera\":\"\($0)\"" }.map { Array($0.utf8) }
            var output: [UInt8] = []
            var printed = 0
            var idle = 0.002
            while true {
                var batch = 0
                var readError: Error? = nil
                while batch < 1000 {
                    let next: StoredRecord?
                    do { next = try reader.next() } catch { readError = error; break }
                    guard let record = next else { break }
                    batch += 1
                    if let typeFilter, !record.line.contains(typeFilter) { continue }
                    if let cameraFilter, !record.line.contains(cameraFilter) { continue }
                    output.append(contentsOf: record.line)
                    output.append(UInt8(ascii: "\n"))
                    printed += 1
                    if let limit, printed >= limit { break }
                }
                // What was read before an error still reaches stdout (and the group's position).
                if !output.isEmpty {
                    if output.withUnsafeBytes({ StandardOutput.writeAll($0) }) == false { throw ExitCode.success }
                    output.removeAll(keepingCapacity: true)
                }
                // Commit only what reached stdout: at-least-once.
                if batch > 0 { try consumer?.commit(reader.nextOffset) }
                if let readError { throw readError }
                if let limit, printed >= limit { return }
                if batch > 0 { idle = 0.002; continue }
                guard follow else { return }
                usleep(UInt32(idle * 1_000_000))
                idle = min(idle * 2, 0.05)
            }
        } catch let error as QueueError {
            FileHandleOutput.standardError("vigil: \(error)")
            throw ExitCode.failure
        } catch let error as EventValidationError {
            FileHandleOutput.standardError("vigil: \(error)")
            throw ExitCode(ExitStatus.usage)
        }
    }
}

struct QueueStat: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stat", abstract: "Show segments, offsets, size and consumer groups.")

    @OptionGroup var location: QueueLocation

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let (directory, _) = try location.resolve()
        let status: QueueStatus
        do {
            status = try QueueInspector(directory: directory).status()
        } catch let error as QueueError {
            FileHandleOutput.standardError("vigil: \(error)")
            throw ExitCode.failure
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.keyEncodingStrategy = .convertToSnakeCase
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
            return
        }
        print("queue \(status.directory)")
        let range = status.firstOffset.map { "offsets \($0)…\(status.lastOffset ?? $0)" } ?? "empty"
        print("\(range), \(status.segments.count) segment(s), \(status.bytes) bytes")
        for segment in status.segments { print("  \(segment.name)  \(segment.bytes) bytes") }
        if status.groups.isEmpty { print("no consumer groups") }
        for group in status.groups { print("group \(group.name): next offset \(group.committed), lag \(group.lag)") }
    }
}

struct QueueAppend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append events given as JSON Lines on stdin; print each one's offset once it is durable.",
        discussion: """
        Each line is an event (see Schemas/event.schema.json); id and time are filled in when missing, offset is assigned. \
        Lines that fail validation (a missing or unknown field, a line over --max-line-bytes) are reported on stderr with \
        their line number and skipped; the exit code is then 2. With --acks json every input line gets one answer on \
        stdout, in order: {"line":N,"offset":K} once stored, or {"line":N,"error":"..."}.
        """
    )

    enum Acks: String, ExpressibleByArgument, CaseIterable {
        /// One offset per stored event, nothing for a rejected line (the default, as before).
        case plain
        /// One JSON answer per input line, stored or not, so a producer never waits in vain.
        case json
    }

    @OptionGroup var location: QueueLocation

    @Option(help: "fsync policy: always (default) or interval (group commit every 0.2 s).")
    var fsync: String?

    @Option(help: "Seconds to keep retrying when the disk is full or failing.")
    var retry: Double = 30

    @Option(help: "What to print per line: plain (offsets of stored events) or json (an answer for every line).")
    var acks: Acks = .plain

    @Option(help: "Longest line accepted, in bytes; a longer one is rejected without being buffered whole.")
    var maxLineBytes: Int = 1 << 20

    func validate() throws {
        if let fsync, fsync != "always", fsync != "interval" { throw ValidationError("--fsync takes always or interval") }
        if maxLineBytes < 64 || maxLineBytes > 1 << 30 { throw ValidationError("--max-line-bytes must be between 64 and 1073741824") }
    }

    /// One answer of `--acks json`.
    struct Answer: Encodable {
        var line: Int
        var offset: UInt64?
        var error: String?
    }

    func run() throws {
        var (directory, options) = try location.resolve()
        if fsync == "always" { options.fsync = .always }
        if fsync == "interval" { options.fsync = .interval(seconds: 0.2) }
        signal(SIGPIPE, SIG_IGN)
        let writer: QueueWriter
        do { writer = try QueueWriter(directory: directory, options: options) } catch let error as QueueError {
            FileHandleOutput.standardError("vigil: \(error)")
            throw ExitCode.failure
        }
        let decoder = JSONDecoder()
        decoder.userInfo[Event.rejectUnknownFields] = true
        let answerEncoder = JSONEncoder()
        answerEncoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var lineNumber = 0
        var invalid = 0
        var pending: [UInt8] = []
        // Where the search for the next newline resumes: each byte is looked at once.
        var searched = 0
        // Inside a line already rejected as too long: its bytes are dropped up to its newline.
        var discarding = false
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        var finished = false

        func reject(_ line: Int, _ message: String, answers: inout [Answer]) {
            invalid += 1
            FileHandleOutput.standardError("vigil: stdin line \(line): \(message)")
            if acks == .json { answers.append(Answer(line: line, error: message)) }
        }
        func emit(_ answers: [Answer], offsets: [Int: UInt64]) -> Bool {
            var text: [UInt8] = []
            switch acks {
            case .plain:
                for answer in answers { if let offset = offsets[answer.line] { text += Array("\(offset)\n".utf8) } }
            case .json:
                for var answer in answers {
                    if answer.error == nil { answer.offset = offsets[answer.line] }
                    text += (try? answerEncoder.encode(answer)).map { Array($0) } ?? []
                    text.append(UInt8(ascii: "\n"))
                }
            }
            return text.isEmpty || text.withUnsafeBytes({ StandardOutput.writeAll($0) })
        }

        while !finished {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress, $0.count) }
            if count < 0 { if errno == EINTR { continue }; break }
            if count == 0 { finished = true; if !pending.isEmpty || discarding { pending.append(UInt8(ascii: "\n")) } }
            pending.append(contentsOf: chunk[0..<max(0, count)])
            // Everything that arrived in this read is one batch: one write, one fsync (group commit).
            var events: [Event] = []
            var eventLines: [Int] = []
            var answers: [Answer] = []
            var consumed = 0
            while let newline = pending[searched...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[consumed..<newline]
                consumed = newline + 1
                searched = consumed
                if discarding {
                    discarding = false
                    continue  // already counted and answered when it passed the limit
                }
                lineNumber += 1
                if line.count > maxLineBytes {
                    reject(lineNumber, "the line is \(line.count) bytes, over the limit of \(maxLineBytes) (--max-line-bytes)", answers: &answers)
                    continue
                }
                if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
                    if acks == .json { answers.append(Answer(line: lineNumber, error: "blank line: no event, skipped")) }
                    continue
                }
                do {
                    var event = try decoder.decode(Event.self, from: Data(line))
                    event.offset = nil
                    try event.validate()
                    events.append(event)
                    eventLines.append(lineNumber)
                    answers.append(Answer(line: lineNumber))
                } catch let error as EventValidationError {
                    reject(lineNumber, "\(error)", answers: &answers)
                } catch {
                    reject(lineNumber, "not a valid event: \(DecodingDescription.text(error))", answers: &answers)
                }
            }
            searched = pending.count
            if !discarding && pending.count - consumed > maxLineBytes {
                // No newline within the limit: answer now and drop the rest of the line as it comes.
                lineNumber += 1
                reject(lineNumber, "the line is longer than the limit of \(maxLineBytes) bytes (--max-line-bytes)", answers: &answers)
                discarding = true
            }
            if discarding {
                consumed = pending.count
            }
            pending.removeFirst(consumed)
            searched -= consumed
            var offsets: [Int: UInt64] = [:]
            if !events.isEmpty {
                do {
                    let stored = try writer.append(events, retryingFor: retry)
                    for (line, offset) in zip(eventLines, stored) { offsets[line] = offset }
                } catch let error as QueueError {
                    FileHandleOutput.standardError("vigil: \(error)")
                    let failed = answers.map { answer in
                        answer.error == nil ? Answer(line: answer.line, error: "not stored: \(error)") : answer
                    }
                    if acks == .json { _ = emit(failed, offsets: [:]) }
                    throw ExitCode.failure
                }
            }
            if !emit(answers, offsets: offsets) { break }
        }
        try? writer.sync()
        if invalid > 0 { throw ExitCode(ExitStatus.usage) }
    }
}

enum StandardOutput {
    /// Unbuffered, so an acknowledgement is out of the process the moment it is printed.
    static func writeAll(_ bytes: UnsafeRawBufferPointer) -> Bool { FileOutput.writeAll(STDOUT_FILENO, bytes) }
}

/// Short messages for JSON decoding errors: which field, what was wrong.
enum DecodingDescription {
    static func text(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, _): return "missing field '\(key.stringValue)'"
        case let .typeMismatch(_, context): return "\(path(context)): wrong type (\(context.debugDescription))"
        case let .valueNotFound(_, context): return "\(path(context)): missing value"
        case let .dataCorrupted(context):
            let field = path(context)
            return (field.isEmpty ? "" : field + ": ") + context.debugDescription
        @unknown default: return "\(error)"
        }
    }
}

extension Array where Element == UInt8 {
    func contains(_ needle: [UInt8]) -> Bool { firstRange(of: needle) != nil }
}
