import Foundation
import Synchronization
import VigilConfig
import VigilEvents
import VigilService

/// What the camera wall and `GET /api/cameras` show of each configured camera: its state
/// read from the worker's state file, rates, today's line counts, zone occupancy and how
/// many alarms wait for an operator. Never the source (it may hold credentials).
public final class CameraBoard: Sendable {
    public struct Zone: Sendable, Codable, Equatable {
        public var id: String
        /// Normalized polygon, for drawing over the picture.
        public var polygon: [[Double]]
        public var persons: Int?
        public var vehicles: Int?
        public var people: Double?
        public var crowdLevels: [Double]?
    }
    public struct Line: Sendable, Codable, Equatable {
        public var id: String
        public var from: [Double]
        public var to: [Double]
        public var aToB: String
        public var bToA: String
        /// Crossings since local midnight, by direction name.
        public var today: [String: Int]
    }
    public struct Camera: Sendable, Codable, Equatable {
        public var id: String
        public var name: String
        public var group: String?
        /// streaming, connecting, offline, stalled, not_running, finished, stopped
        public var state: String
        public var fps: Double?
        public var framesAnalysed: Int
        public var framesDropped: Int
        public var reconnects: Int
        public var lastError: String?
        public var lastFrameAge: Double?
        public var persons: Int?
        public var vehicles: Int?
        /// Alarms of the last 10 minutes that nobody acknowledged yet.
        public var activeAlarms: Int
        /// Seconds since the live picture was written; nil without one.
        public var pictureAge: Double?
        /// Seconds since the motion heatmap was written; nil without one.
        public var heatmapAge: Double?
        /// Checksum of the settings the worker runs with (changes when an edit is applied).
        public var configVersion: String?
        public var zones: [Zone]
        public var lines: [Line]
    }

    /// Event types an operator must look at (alarms), as opposed to measurements.
    public static let alarmTypes: [EventType] = [.intrusion, .loitering, .stoppedVehicle, .wrongWay, .abandonedObject, .congestion,
                                                 .crowdGathering, .crowdRunning, .tamper, .cameraOffline, .manual]

    /// The configured cameras; replaced when the config file changes (`update`).
    private let configured: Mutex<[CameraSettings]>
    public var cameras: [CameraSettings] { configured.withLock { $0 } }
    let stateDirectory: String
    let staleAfter: Double
    let index: EventIndex
    let localTime: LocalTime
    private let cache = Mutex<(at: ContinuousClock.Instant, cameras: [Camera], json: [UInt8])?>(nil)

    public init(cameras: [CameraSettings], stateDirectory: String, staleAfter: Double, index: EventIndex, localTime: LocalTime) {
        configured = Mutex(cameras)
        self.stateDirectory = stateDirectory
        self.staleAfter = staleAfter
        self.index = index
        self.localTime = localTime
    }

    /// The cameras' current view, recomputed at most once a second however many browsers ask.
    public func current() throws -> [Camera] { try cached().cameras }

    /// Takes the cameras of a changed configuration: added ones appear on the wall, removed ones go.
    public func update(_ cameras: [CameraSettings]) {
        configured.withLock { $0 = cameras }
        cache.withLock { $0 = nil }
    }

    /// The same as JSON, encoded once per refresh rather than once per browser.
    public func currentJSON() throws -> [UInt8] { try cached().json }

    private func cached() throws -> (cameras: [Camera], json: [UInt8]) {
        let now = ContinuousClock().now
        if let cached = cache.withLock({ $0 }), now - cached.at < .seconds(1) { return (cached.cameras, cached.json) }
        let fresh = try compute()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = Array(try encoder.encode(fresh))
        cache.withLock { $0 = (now, fresh, json) }
        return (fresh, json)
    }

    func compute() throws -> [Camera] {
        let today = localTime.startOfToday()
        let totals = try index.lineTotals(sinceMs: today)
        let alarms = try index.activeAlarms(sinceMs: Int64(Date().timeIntervalSince1970 * 1000) - 600_000, types: Self.alarmTypes.map(\.rawValue))
        return self.cameras.map { settings in
            let status = WorkerStatusFile.read(camera: settings.id, directory: stateDirectory)
            let age = WorkerStatusFile.age(camera: settings.id, directory: stateDirectory)
            let pictureAge = Self.fileAge(stateDirectory + "/" + settings.id + ".jpg")
            let counts = totals[settings.id] ?? [:]
            let zones = settings.zones.map { zone in
                Zone(id: zone.id, polygon: zone.polygon.map { [$0.x, $0.y] },
                     persons: status?.zoneObjects?[zone.id]?.person, vehicles: status?.zoneObjects?[zone.id]?.vehicle,
                     people: status?.zonePeople?[zone.id], crowdLevels: zone.crowd?.levels)
            }
            let lines = settings.lines.map { line in
                Line(id: line.id, from: [line.from.x, line.from.y], to: [line.to.x, line.to.y], aToB: line.aToBName, bToA: line.bToAName,
                     today: counts[line.id] ?? [:])
            }
            return Camera(id: settings.id, name: settings.name ?? settings.id, group: settings.group,
                          state: Self.state(status, age: age, staleAfter: staleAfter),
                          fps: status?.analysedFps, framesAnalysed: status?.framesAnalysed ?? 0, framesDropped: status?.framesDropped ?? 0,
                          reconnects: status?.reconnects ?? 0, lastError: status?.lastError, lastFrameAge: status?.lastFrameAge,
                          persons: status?.objects?.person, vehicles: status?.objects?.vehicle,
                          activeAlarms: alarms[settings.id] ?? 0, pictureAge: pictureAge,
                          heatmapAge: Self.fileAge(stateDirectory + "/" + settings.id + "-heatmap.png"), configVersion: status?.configVersion,
                          zones: zones, lines: lines)
        }
    }

    /// A worker's state as the operator sees it. A state file that stopped being refreshed
    /// belongs to a worker that is gone, whatever it last said.
    static func state(_ status: WorkerStatus?, age: Double?, staleAfter: Double) -> String {
        guard let status, let age else { return "not_running" }
        switch status.state {
        case .finished: return "finished"
        case .stopped: return "stopped"
        default: break
        }
        if age > 5 || kill(status.pid, 0) != 0 { return "not_running" }
        switch status.state {
        case .connecting, .reconnecting: return "connecting"
        case .offline: return "offline"
        case .online:
            if let frameAge = status.lastFrameAge, frameAge > staleAfter { return "stalled" }
            return "streaming"
        default: return status.state.rawValue
        }
    }

    static func fileAge(_ path: String) -> Double? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let modified = attributes[.modificationDate] as? Date else { return nil }
        return (Date().timeIntervalSince(modified) * 10).rounded() / 10
    }
}
