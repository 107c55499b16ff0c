import Foundation
import Logging

/// `vigil run`: one worker process per camera. A worker that dies is started again
/// after a back-off that doubles while it keeps dying; SIGTERM and SIGINT are passed
/// on to every worker, which get `stopGrace` seconds to flush before SIGKILL.
public final class FleetSupervisor: @unchecked Sendable {
    public struct Member: Sendable {
        public var camera: String
        public var arguments: [String]
        public init(camera: String, arguments: [String]) {
            self.camera = camera
            self.arguments = arguments
        }
    }

    /// What the supervisor knows of each worker, written to `supervisor.json` in the state folder.
    public struct MemberStatus: Codable, Sendable {
        public var camera: String
        public var pid: Int32?
        public var restarts: Int
        public var lastExit: String?
        public var nextStartIn: Double?
    }

    let executable: String
    let members: [Member]
    let stateDirectory: String?
    let logger: Logger
    public var firstDelay = 1.0
    public var longestDelay = 60.0
    /// A worker that ran this long before dying starts again at once, with the delay reset.
    public var healthyAfter = 60.0
    public var stopGrace = 5.0
    /// Workers start at least this far apart. Each spends about 0.15 s of CPU loading and
    /// warming up; sixteen started at once on one core shared it for seconds, and the first
    /// of them dropped frames meanwhile (BENCHMARKS.md, issue 17).
    public var startSpacing = 0.2

    private let lock = NSCondition()
    private var stopping = false
    /// A new membership from a changed configuration, taken by the supervising loop.
    private var pendingMembers: [Member]?
    private var pendingSignal: Int32?

    public init(executable: String, members: [Member], stateDirectory: String?, logger: Logger) {
        self.executable = executable
        self.members = members
        self.stateDirectory = stateDirectory
        self.logger = logger
    }

    /// Changes who runs: cameras no longer listed are stopped (SIGTERM, then SIGKILL after
    /// `stopGrace`), new ones start, and a listed one keeps running (its new arguments apply
    /// when it next starts). Safe from any thread.
    public func setMembers(_ members: [Member]) {
        lock.lock()
        pendingMembers = members
        lock.broadcast()
        lock.unlock()
    }

    /// Sends a signal to every running worker (SIGHUP: reload the configuration now).
    public func signalAll(_ number: Int32) {
        lock.lock()
        pendingSignal = number
        lock.broadcast()
        lock.unlock()
    }

    public func stop() {
        lock.lock()
        stopping = true
        lock.broadcast()
        lock.unlock()
    }

    /// Runs until `stop()` or until every worker finished on its own with exit 0 (all
    /// sources were files without --loop). Returns the number of workers that failed at the end.
    public func run() -> Int {
        struct Slot {
            var member: Member
            var process: Process?
            var startedAt = 0.0
            var restarts = 0
            var delay: Double
            var nextStart = 0.0
            var lastExit: String?
            var done = false
            /// Removed from the configuration: stopping, killed at this time if still running.
            var retiringUntil: Double?
        }
        var slots = members.map { Slot(member: $0, delay: firstDelay) }
        var lastStatusWrite = 0.0
        var nextFreeStart = 0.0
        while true {
            lock.lock()
            let shuttingDown = stopping
            let changed = pendingMembers
            let signalNumber = pendingSignal
            pendingMembers = nil
            pendingSignal = nil
            lock.unlock()
            if shuttingDown { break }
            let now = MonotonicSeconds.now()
            if let changed {
                for index in slots.indices where slots[index].retiringUntil == nil {
                    if let member = changed.first(where: { $0.camera == slots[index].member.camera }) {
                        slots[index].member = member
                    } else {
                        slots[index].retiringUntil = now + stopGrace
                        slots[index].done = true
                        if let process = slots[index].process, process.isRunning { kill(process.processIdentifier, SIGTERM) }
                        logger.notice("camera removed from the configuration; stopping its worker", metadata: ["camera": "\(slots[index].member.camera)"])
                    }
                }
                for member in changed where !slots.contains(where: { $0.member.camera == member.camera && $0.retiringUntil == nil }) {
                    slots.append(Slot(member: member, delay: firstDelay))
                    logger.notice("camera added to the configuration; starting its worker", metadata: ["camera": "\(member.camera)"])
                }
            }
            if let signalNumber {
                for slot in slots where slot.retiringUntil == nil { if let process = slot.process, process.isRunning { kill(process.processIdentifier, signalNumber) } }
            }
            // Workers of removed cameras: gone once they have exited (killed if they take too long).
            slots.removeAll { slot in
                guard let until = slot.retiringUntil else { return false }
                guard let process = slot.process, process.isRunning else { return true }
                if now >= until { kill(process.processIdentifier, SIGKILL) }
                return false
            }
            for index in slots.indices where !slots[index].done && slots[index].retiringUntil == nil {
                if let process = slots[index].process {
                    guard !process.isRunning else { continue }
                    let status = process.terminationStatus
                    let signalled = process.terminationReason == .uncaughtSignal
                    slots[index].process = nil
                    slots[index].lastExit = signalled ? "killed by signal \(status)" : "exit \(status)"
                    if !signalled && status == 0 {
                        logger.info("worker finished", metadata: ["camera": "\(slots[index].member.camera)"])
                        slots[index].done = true
                        continue
                    }
                    if now - slots[index].startedAt >= healthyAfter { slots[index].delay = firstDelay }
                    slots[index].nextStart = now + slots[index].delay
                    logger.error("worker died; starting it again", metadata: [
                        "camera": "\(slots[index].member.camera)", "exit": "\(slots[index].lastExit!)",
                        "in_seconds": "\(slots[index].delay)"])
                    slots[index].delay = min(slots[index].delay * 2, longestDelay)
                    slots[index].restarts += 1
                } else if now >= slots[index].nextStart && now >= nextFreeStart {
                    nextFreeStart = now + startSpacing
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = slots[index].member.arguments
                    do {
                        try process.run()
                        slots[index].process = process
                        slots[index].startedAt = now
                        logger.info("worker started", metadata: ["camera": "\(slots[index].member.camera)", "pid": "\(process.processIdentifier)"])
                    } catch {
                        slots[index].lastExit = "could not start: \(error)"
                        slots[index].nextStart = now + slots[index].delay
                        slots[index].delay = min(slots[index].delay * 2, longestDelay)
                        logger.error("cannot start worker", metadata: ["camera": "\(slots[index].member.camera)", "error": "\(error)"])
                    }
                }
            }
            if slots.allSatisfy(\.done) { break }
            if now - lastStatusWrite >= 1 {
                lastStatusWrite = now
                writeStatus(slots.filter { $0.retiringUntil == nil }.map { slot in
                    MemberStatus(camera: slot.member.camera, pid: slot.process?.processIdentifier, restarts: slot.restarts,
                                 lastExit: slot.lastExit, nextStartIn: slot.process == nil && !slot.done ? max(0, slot.nextStart - now) : nil)
                })
            }
            lock.lock()
            if !stopping { _ = lock.wait(until: Date(timeIntervalSinceNow: 0.1)) }
            lock.unlock()
        }
        // Pass the stop on and wait for each worker to flush its queue.
        let running = slots.compactMap(\.process).filter(\.isRunning)
        for process in running { kill(process.processIdentifier, SIGTERM) }
        let deadline = MonotonicSeconds.now() + stopGrace
        while running.contains(where: \.isRunning) && MonotonicSeconds.now() < deadline { usleep(20_000) }
        for process in running where process.isRunning {
            logger.error("worker did not stop in time; killing it", metadata: ["pid": "\(process.processIdentifier)"])
            kill(process.processIdentifier, SIGKILL)
        }
        for process in running { process.waitUntilExit() }
        writeStatus(slots.filter { $0.retiringUntil == nil }.map { slot in
            MemberStatus(camera: slot.member.camera, pid: nil, restarts: slot.restarts, lastExit: slot.process.map { _ in "stopped" } ?? slot.lastExit)
        })
        return running.filter { $0.terminationStatus != 0 }.count
    }

    private func writeStatus(_ statuses: [MemberStatus]) {
        guard let stateDirectory else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        try? FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        if let data = try? encoder.encode(statuses) {
            try? data.write(to: URL(fileURLWithPath: stateDirectory + "/supervisor.json"), options: .atomic)
        }
    }

    public static func readStatus(stateDirectory: String) -> [MemberStatus]? {
        guard let data = FileManager.default.contents(atPath: stateDirectory + "/supervisor.json") else { return nil }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try? decoder.decode([MemberStatus].self, from: data)
    }
}
