import FoundationEssentials
import VigilAnalytics
import VigilConfig
import VigilEvents
import VigilMedia
import VigilVision

#if canImport(Foundation)
import Foundation
#endif

/// The analysis of one camera, frame by frame: motion per zone, tracks, line and zone
/// rules, and tamper. Offline clips and live workers both run it, so a camera raises
/// the same events whether its footage is recorded or live.
public final class CameraPipeline {
    public let cameraID: String
    public let analysis: ClipAnalysisOptions.Analysis
    /// The still-object limit the motion model was given before the camera's rules raised it.
    private let standardStillFrames: Int
    private(set) var camera: CameraSettings?
    public private(set) var analyzer: any MotionModel
    public private(set) var tracker: Tracker
    public private(set) var trackRules: TrackRules
    /// Objects by class in the frame and per zone, from this frame's confirmed tracks.
    public private(set) var census: ObjectCensus
    /// Tracks and rules run on the motion detector's blobs only.
    public var tracking: Bool { analysis == .motion }
    public private(set) var zones: [ZoneSettings]
    /// Slot 0 is the whole frame, then one per zone; valid when `measuredZones` or after a motion frame.
    public private(set) var fractions: [Double]
    public private(set) var measuredZones = false
    public private(set) var observation = FrameObservation()
    /// Tracks confirmed so far (for reports).
    public private(set) var confirmedTrackCount = 0
    /// Confirmed tracks already counted and still alive; ids of ended tracks are pruned, so
    /// a worker that runs for months keeps no record per track it ever saw.
    private var countedTracks = Set<Int>()
    public private(set) var analyseSeconds = 0.0
    public private(set) var trackingSeconds = 0.0
    public private(set) var eventCounts: [String: Int] = [:]
    public private(set) var width = 0
    public private(set) var height = 0

    private var zoneMasks: [ZoneMask] = []
    private var motionRules: [MotionRule]
    private var transitions: [MotionTransition] = []
    private var checkingTamper: Bool
    private var tamperDetector = TamperDetector()
    private var tamperRule: TamperRule
    private var pending: [Event] = []
    private var crowdEstimator: CrowdEstimator
    private var crowdRules: [(zone: Int, rule: CrowdZoneRule)] = []
    private var speeds: [Double] = []
    /// Whether every frame gets a people estimate. On when a zone has crowd rules; callers
    /// that report people (frames-out, calibration) switch it on; otherwise the estimator's
    /// pass over the mask is skipped.
    public var measuresPeople = false
    /// People estimates of the last frame (empty unless `measuresPeople`): slot 0 the whole frame, then one per zone.
    public var people: [Double] { crowdEstimator.estimates }
    /// The crowd features behind them, for calibration.
    public var crowdMeasurements: [CrowdMeasurement] { crowdEstimator.measurements }
    /// Measure every crowd feature, not only the model's (for calibration).
    public var measuresAllCrowdFeatures: Bool {
        get { crowdEstimator.measuresAllFeatures }
        set { crowdEstimator.measuresAllFeatures = newValue }
    }

    public init(camera: CameraSettings?, analysis: ClipAnalysisOptions.Analysis = .motion,
                motion: MotionSettings = MotionSettings(), motionModel: MotionModelKind? = nil, classifier: ObjectClassifier = ObjectClassifier(),
                crowdModel: CrowdModel = .perspectiveOnly) throws {
        self.camera = camera
        self.analysis = analysis
        standardStillFrames = motion.absorbStillFrames
        cameraID = camera?.id ?? "clip"
        zones = camera?.zones ?? []
        switch analysis {
        case .motion:
            var settings = motion
            if camera?.suppressShadows == true { settings.suppressShadows = true }
            if let threshold = camera?.motionThreshold { settings.sampleDistance = threshold }
            if let rise = camera?.motionThresholdRise { settings.largestThresholdFactor = rise }
            if let perspective = camera?.perspective, settings.perspective == nil {
                settings.perspective = PerspectiveScale(nearY: perspective.near.y, nearPersonHeight: perspective.near.personHeight,
                                                        farY: perspective.far.y, farPersonHeight: perspective.far.personHeight)
            }
            // The command line's choice, then the camera's `motion.model`, then the default.
            if let motionModel { settings.model = motionModel }
            else if let name = camera?.motionModel, let model = MotionModelKind(rawValue: name) { settings.model = model }
            settings.absorbStillFrames = Self.absorbStillFrames(settings.absorbStillFrames, camera: camera)
            analyzer = settings.model.make(settings)
        case .baseline: analyzer = RunningAverageMotion()
        case .none: analyzer = NoAnalysis()
        }
        tracker = Tracker(classifier: classifier, perspective: analyzer.perspective, grouping: analyzer.blobGrouping)
        tracker.settings.splitGroups = camera?.splitGroups ?? false
        tracker.settings.splitVehicles = camera?.splitVehicles ?? false
        trackRules = TrackRules(camera: cameraID, lines: Self.ruleLines(camera), zones: Self.ruleZones(camera))
        census = ObjectCensus(zones: (camera?.zones ?? []).map { zone in (zone.id, Polygon(zone.polygon.map { Point(x: $0.x, y: $0.y) })) })
        if let image = camera?.groundImage, let metres = camera?.groundMetres {
            trackRules.ground = try GroundPlane(image: image.map { Point(x: $0.x, y: $0.y) }, ground: metres.map { Point(x: $0.x, y: $0.y) })
        }
        motionRules = [MotionRule(zone: nil)] + zones.map { MotionRule(zone: $0.id) }
        fractions = [Double](repeating: 0, count: 1 + zones.count)
        transitions.reserveCapacity(fractions.count)
        // Tamper runs with the motion analysis, for every camera unless its config turns it off.
        checkingTamper = analysis == .motion && (camera?.tamperEnabled ?? true)
        tamperRule = TamperRule(persistSeconds: camera?.tamperSeconds ?? 3)
        crowdEstimator = CrowdEstimator(model: crowdModel, perspective: analyzer.perspective)
        for (index, zone) in zones.enumerated() {
            if let rule = try Self.crowdRule(zone, ground: trackRules.ground) { crowdRules.append((index, rule)) }
        }
        measuresPeople = !crowdRules.isEmpty
    }

    /// How long the motion model keeps a still object: `frames`, or longer when a zone's
    /// rule waits longer for something still (it would otherwise never fire).
    public static func absorbStillFrames(_ frames: Int, camera: CameraSettings?) -> Int {
        guard frames > 0 else { return 0 }
        let longest = (camera?.zones ?? []).flatMap { zone in
            [zone.loitering?.seconds, zone.stoppedVehicle?.seconds, zone.abandonedSeconds].compactMap { $0 }
        }.max() ?? 0
        return max(frames, MotionSettings.stillFrames(forRuleSeconds: longest))
    }

    static func crowdRule(_ zone: ZoneSettings, ground: GroundPlane?) throws -> CrowdZoneRule? {
        guard let crowd = zone.crowd else { return nil }
        var area: Double? = nil
        if crowd.unit == .perSquareMetre {
            guard let ground else { throw CrowdConfigurationError(zone: zone.id) }
            area = ground.area(of: zone.polygon.map { Point(x: $0.x, y: $0.y) })
        }
        var rule = CrowdZoneRule(zone: zone.id, levels: crowd.levels, areaSquareMetres: area)
        rule.dwellSeconds = crowd.dwellSeconds
        rule.gatheringRise = crowd.gatheringRise
        rule.gatheringSeconds = crowd.gatheringSeconds
        rule.runningSpeed = crowd.runningSpeed
        rule.runningMinimumPeople = crowd.runningMinimumPeople
        return rule
    }

    /// Why a changed camera cannot be applied to the running analysis.
    public struct RestartNeeded: Error, CustomStringConvertible {
        public var description: String
    }

    /// Applies a changed camera configuration from the next frame, keeping the motion
    /// model, the tracks, and every zone's and line's state that did not change (live
    /// reload). Returns the events that end what changed zones and lines had open. Throws
    /// `RestartNeeded` when the change is to what the motion model learned on (analysis size,
    /// perspective, model, shadows, threshold): the caller starts a new pipeline then.
    public func reconfigure(_ new: CameraSettings, frame: Int, pts: Double) throws -> [Event] {
        let old = camera
        guard analysis == .motion, let old, old.id == new.id else { throw RestartNeeded(description: "not a live motion analysis of this camera") }
        if old.analysis != new.analysis { throw RestartNeeded(description: "analysis settings changed") }
        if old.perspective != new.perspective { throw RestartNeeded(description: "the perspective changed") }
        if old.motionModel != new.motionModel || old.suppressShadows != new.suppressShadows || old.motionThreshold != new.motionThreshold
            || old.motionThresholdRise != new.motionThresholdRise {
            throw RestartNeeded(description: "the motion settings changed")
        }
        if Self.absorbStillFrames(standardStillFrames, camera: old) != Self.absorbStillFrames(standardStillFrames, camera: new) {
            throw RestartNeeded(description: "a rule waits longer or shorter for still objects than the motion model keeps them")
        }
        var ground: GroundPlane?
        if let image = new.groundImage, let metres = new.groundMetres {
            ground = try GroundPlane(image: image.map { Point(x: $0.x, y: $0.y) }, ground: metres.map { Point(x: $0.x, y: $0.y) })
        }
        var newCrowdRules: [(zone: Int, rule: CrowdZoneRule)] = []
        for (index, zone) in new.zones.enumerated() {
            // An unchanged crowd zone keeps its smoothed count, level and timers.
            if let kept = crowdRules.first(where: { zones[$0.zone] == zone }) { newCrowdRules.append((index, kept.rule)); continue }
            if let rule = try Self.crowdRule(zone, ground: ground) { newCrowdRules.append((index, rule)) }
        }
        pending.removeAll(keepingCapacity: true)
        let unchangedZones = Set(new.zones.filter { zone in old.zones.contains(zone) }.map(\.id))
        let unchangedLines = Set(new.lines.filter { line in old.lines.contains(line) }.map(\.id))
        // Motion per zone: an unchanged zone keeps its rule (and an open motion event).
        var newMotionRules = [motionRules[0]]
        for zone in new.zones {
            if unchangedZones.contains(zone.id), let index = zones.firstIndex(where: { $0.id == zone.id }) { newMotionRules.append(motionRules[index + 1]) }
            else { newMotionRules.append(MotionRule(zone: zone.id)) }
        }
        for (index, zone) in zones.enumerated() where !unchangedZones.contains(zone.id) {
            if let transition = motionRules[index + 1].finish(frame: frame, pts: pts) { append([transition]) }
        }
        append(trackRules.reconfigure(lines: Self.ruleLines(new), zones: Self.ruleZones(new), unchangedLines: unchangedLines,
                                      unchangedZones: unchangedZones, frame: frame, pts: pts))
        trackRules.ground = ground
        if old.tamperEnabled != new.tamperEnabled || old.tamperSeconds != new.tamperSeconds {
            if let transition = tamperRule.finish(frame: frame, pts: pts) { append([tamperEvent(transition)]) }
            tamperRule = TamperRule(persistSeconds: new.tamperSeconds)
            checkingTamper = new.tamperEnabled
        }
        tracker.settings.splitGroups = new.splitGroups
        tracker.settings.splitVehicles = new.splitVehicles
        camera = new
        zones = new.zones
        motionRules = newMotionRules
        crowdRules = newCrowdRules
        measuresPeople = !crowdRules.isEmpty
        crowdEstimator.zonesChanged()
        census = ObjectCensus(zones: new.zones.map { zone in (zone.id, Polygon(zone.polygon.map { Point(x: $0.x, y: $0.y) })) })
        fractions = [Double](repeating: 0, count: 1 + new.zones.count)
        if width > 0 { buildMasks(width: width, height: height) }
        return pending
    }

    /// Analyses one frame and returns the events it raised (valid until the next call).
    public func process(_ image: GrayImage, frame: Int, pts: Double) -> [Event] {
        pending.removeAll(keepingCapacity: true)
        if image.width != width || image.height != height { resize(width: image.width, height: image.height) }
        let analyseStart = MonotonicClock.now()
        observation = analyzer.analyze(image)
        measuredZones = false
        if let mask = analyzer.lastMask, observation.motionFraction != nil {
            // Whole-frame motion follows the largest coherent moving region, so scattered
            // specks from leaves or rain never add up to an event.
            fractions[0] = observation.largestBlobFraction ?? observation.motionFraction ?? 0
            for (index, zone) in zoneMasks.enumerated() { fractions[index + 1] = zone.fraction(of: mask) }
            measuredZones = !zoneMasks.isEmpty
            transitions.removeAll(keepingCapacity: true)
            for index in motionRules.indices {
                if let transition = motionRules[index].observe(fraction: fractions[index], frame: frame, pts: pts) {
                    transitions.append(transition)
                }
            }
            append(transitions)
            if measuresPeople { _ = crowdEstimator.estimate(mask: mask, image: image, blobs: analyzer.blobs, zones: zoneMasks) }
        }
        analyseSeconds += MonotonicClock.seconds(since: analyseStart)
        if tracking {
            let trackingStart = MonotonicClock.now()
            tracker.update(blobs: analyzer.blobs, pts: pts, frameWidth: width, frameHeight: height, image: image, mask: analyzer.lastMask)
            append(trackRules.observe(tracks: tracker.tracks, frame: frame, pts: pts, frameWidth: width, frameHeight: height))
            census.count(tracks: tracker.tracks, width: width, height: height)
            for track in tracker.tracks where track.isConfirmed && countedTracks.insert(track.id).inserted { confirmedTrackCount += 1 }
            observeCrowds(frame: frame, pts: pts)
            if countedTracks.count > 2 * tracker.tracks.count + 64 {
                countedTracks = countedTracks.filter { id in tracker.tracks.contains { $0.id == id } }
            }
            if checkingTamper, let transition = tamperRule.observe(tamperDetector.analyze(image), frame: frame, pts: pts) {
                append([tamperEvent(transition)])
            }
            trackingSeconds += MonotonicClock.seconds(since: trackingStart)
        }
        return pending
    }

    /// Ends whatever is still going (motion, flow intervals, zone rules, tamper) at the last frame.
    public func finish(frame: Int, pts: Double) -> [Event] {
        pending.removeAll(keepingCapacity: true)
        append(motionRules.indices.compactMap { motionRules[$0].finish(frame: frame, pts: pts) })
        if tracking { append(trackRules.finish(frame: frame, pts: pts)) }
        if let transition = tamperRule.finish(frame: frame, pts: pts) { append([tamperEvent(transition)]) }
        return pending
    }

    /// Crowd events per zone, from its people estimate and the pace of the people tracked in it.
    private func observeCrowds(frame: Int, pts: Double) {
        guard !crowdRules.isEmpty, crowdEstimator.estimates.count == zones.count + 1 else { return }
        let perspective = analyzer.perspective
        for index in crowdRules.indices {
            let zone = crowdRules[index].zone
            speeds.removeAll(keepingCapacity: true)
            for track in tracker.tracks where track.isConfirmed && !track.isCoasting {
                let anchor = Point(x: track.anchor.x / Double(width), y: track.anchor.y / Double(height))
                guard zoneMasks[zone].contains(x: Int(track.anchor.x), y: Int(track.anchor.y)) else { continue }
                let personPixels = (perspective?.personHeight(atY: anchor.y) ?? CrowdEstimator.defaultPersonHeight) * Double(height)
                speeds.append(track.speed / max(1, personPixels))
            }
            append(crowdRules[index].rule.observe(people: crowdEstimator.estimates[zone + 1], speeds: speeds, camera: cameraID, frame: frame, pts: pts))
        }
    }

    private func resize(width: Int, height: Int) {
        let size = (width, height)
        if self.width != 0 {
            // A new picture size (a camera reconfigured mid-stream): the background was
            // learned on the old geometry and means nothing on the new one. Old tracks
            // find no blobs and end on their own; ids keep counting up.
            analyzer.reset()
            tamperDetector = TamperDetector()
            // The learned traffic flow is in the old picture's pixels.
            tracker.resetFlow()
        }
        (self.width, self.height) = size
        buildMasks(width: width, height: height)
    }

    private func buildMasks(width: Int, height: Int) {
        zoneMasks = zones.map { zone in
            ZoneMask(polygons: [Polygon(zone.polygon.map { Point(x: $0.x, y: $0.y) })], width: width, height: height)
        }
        let ignore = camera?.motionIgnore ?? []
        analyzer.ignoreMask = ignore.isEmpty ? nil : ZoneMask(polygons: ignore.map { Polygon($0.map { Point(x: $0.x, y: $0.y) }) }, width: width, height: height)
    }

    private func append(_ transitions: [MotionTransition]) {
        for transition in transitions {
            append([Event(type: .motion, camera: cameraID, frame: transition.frame, pts: Self.rounded(transition.pts, 3),
                          state: transition.state == .start ? .start : .end, zone: transition.zone,
                          data: ["fraction": .double(Self.rounded(transition.fraction, 4))])])
        }
    }

    private func append(_ events: [Event]) {
        guard !events.isEmpty else { return }
        pending.append(contentsOf: events)
        for event in events { eventCounts[event.type.rawValue, default: 0] += 1 }
    }

    private func tamperEvent(_ transition: TamperRule.Transition) -> Event {
        Event(type: .tamper, camera: cameraID, frame: transition.frame, pts: Self.rounded(transition.pts, 3),
              state: transition.started ? .start : .end, data: ["reason": .string(transition.reason.rawValue)])
    }

    static func ruleLines(_ camera: CameraSettings?) -> [TrackRules.Line] {
        (camera?.lines ?? []).map { line in
            TrackRules.Line(definition: .init(id: line.id, segment: LineSegment(from: Point(x: line.from.x, y: line.from.y), to: Point(x: line.to.x, y: line.to.y)),
                                              aToBName: line.aToBName, bToAName: line.bToAName, minimumDistance: line.minimumDistance,
                                              lanes: line.lanes),
                            flowInterval: line.flowInterval)
        }
    }

    static func ruleZones(_ camera: CameraSettings?) -> [TrackRules.Zone] {
        (camera?.zones ?? []).map { zone in
            var rule = TrackRules.Zone(id: zone.id, polygon: Polygon(zone.polygon.map { Point(x: $0.x, y: $0.y) }),
                                       intrusionClasses: zone.intrusion.map { Set($0.classes.compactMap(ObjectClass.init(rawValue:))) },
                                       loiteringSeconds: zone.loitering?.seconds)
            rule.stoppedSeconds = zone.stoppedVehicle?.seconds
            if let wrongWay = zone.wrongWay {
                rule.allowedDirection = Point(x: wrongWay.direction.x, y: wrongWay.direction.y)
                rule.wrongWaySeconds = wrongWay.seconds
            }
            if let congestion = zone.congestion { rule.congestion = (congestion.vehicles, congestion.speed, congestion.seconds) }
            rule.abandonedSeconds = zone.abandonedSeconds
            if let schedule = zone.intrusion?.schedule {
                // Schedules are local wall-clock time where Vigil runs.
                rule.intrusionArmed = {
                    let parts = Calendar.current.dateComponents([.hour, .minute], from: Date())
                    return schedule.contains(minuteOfDay: (parts.hour ?? 0) * 60 + (parts.minute ?? 0))
                }
            }
            return rule
        }
    }

    static func rounded(_ value: Double, _ places: Int) -> Double {
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        return (value * scale).rounded() / scale
    }
}

/// A zone counts in people per m² but its camera has no ground calibration to know its area.
public struct CrowdConfigurationError: Error, CustomStringConvertible {
    public var zone: String
    public var description: String { "zone \(zone): crowd levels per_square_metre need the camera's ground calibration (ground: image/metres)" }
}
