/// Turns each frame's blobs into tracks with stable ids.
///
/// Per frame: every track's centre is predicted by a constant-velocity Kalman filter;
/// blobs and predictions are paired greedily by overlap and distance; fragments of one
/// object (a vehicle split by a lamp post) are folded into its measurement; a track whose
/// predicted box lies inside another track's blob (two people passing) coasts on its
/// prediction instead of dying, so it comes out of the merge with its own id; a track
/// that finds nothing coasts for `maximumCoastSeconds` (short occlusions) and is then
/// deleted. A track that stays inside another's box of one object's size is a piece of
/// that object and is dropped. New tracks are tentative until seen `confirmationHits` times
/// (at a low frame rate, or by an object that moved a good part of its size, twice; once for
/// an object of the usual size where objects enter or flow).
public struct Tracker: Sendable {
    public struct Settings: Sendable, Equatable {
        public var confirmationHits = 3
        /// At a low frame rate two measurements this far apart confirm a track as well: at
        /// 3 frames a second a third hit would cost a whole second of every vehicle's view.
        public var confirmationSeconds = 0.25
        /// At a low frame rate (frames at least `confirmationSeconds` apart, or see
        /// `lowRateMotion`) a new blob of the usual size at its row, entering at the picture's
        /// edge or where the learned flow carries objects, is confirmed when first seen: at 3
        /// frames a second a vehicle crosses the view in a handful of frames and would otherwise
        /// go uncounted in the first (us101-seq3 tracks F 0.849 -> 0.867, count error 3.8 -> 3.1 vehicles).
        public var confirmOnSight = true
        /// The frame rate is also low, for confirming on sight, where the learned flow carries
        /// objects at least this fraction of their own size between two frames, whatever the
        /// timestamps say: m30-hd is encoded at 10 frames a second, yet a car near the camera
        /// crosses the picture in two or three frames (tracks F at source width 0.25 -> 0.34;
        /// us101-seq3, highway-cctv and PETS 2009 unchanged). Likewise a tentative track of at least
        /// about the usual size whose second measurement lies this far from its first is
        /// confirmed by it (`movedFar`).
        public var lowRateMotion = 0.5
        /// A track's second measurement at least this many seconds after its first (at 11 frames a
        /// second or fewer, any two in a row) confirms it as well, unless the usual object there is
        /// known and the box is under two-thirds of it both in width and in height (a speck, or a
        /// person cut from a group). At 10 frames a second a vehicle near the camera crosses the
        /// picture in two or three frames and, waiting for a third hit, was lost for most of them
        /// before the tracker had learned any size there (m30-hd with its perspective at source width,
        /// tracks F 0.562 -> 0.596; us101-seq3, highway-cctv at 25 and at 10 frames a second and PETS
        /// 2009 unchanged). Infinity turns it off.
        public var lowRateSeconds = 0.09
        /// A confirmed track without measurements survives this long…
        public var maximumCoastSeconds = 1.0
        /// …or this long while it is inside another object's blob.
        public var maximumMergedSeconds = 3.0
        /// A track inside another track's box of one object's usual size for this many measured
        /// frames in a row is a piece of that object and is dropped (0: never).
        public var pieceFrames = 3
        /// `tracksInView` keeps a confirmed track this many frames without a measurement
        /// (0: measured tracks only)…
        public var viewMisses = 1
        /// …where at least this share of its predicted box is foreground in the mask (when the
        /// update was given one): an object hidden behind another or merged into a neighbour's
        /// blob is still covered by foreground there; where the mask is empty the object has
        /// gone from the prediction, and the box marked empty road. On m30-hd, with its
        /// perspective at source width, most of the coasting boxes were empty road (tracks F
        /// 0.540 -> 0.56, precision 0.72 -> 0.86); PETS 2009 MOTA 0.691 -> 0.700.
        public var viewForeground = 0.1
        /// A tentative track is dropped after this many frames without a measurement.
        public var tentativeMisses = 2
        /// Pairing gate: centre distance below this many box sizes (plus the predicted motion).
        public var gate = 0.8
        /// Cut blobs that are several people side by side into one piece each (needs a
        /// perspective; for cameras that watch people, not roads).
        public var splitGroups = false
        /// Cut blobs several usual vehicles long or wide into one piece each, by the learned
        /// object size (`VehicleSplitting`; needs `learnSizes` and the mask; for road cameras).
        public var splitVehicles = false
        /// Learn each part of the picture's usual motion and start new tracks with it.
        public var learnFlow = true
        /// Learn the usual object size in each band of rows from confirmed tracks, and never
        /// group blobs into something much bigger.
        public var learnSizes = true
        /// The pairing gate also widens by this many standard deviations of the predicted
        /// position: a newborn track at a low frame rate may be a whole object size off.
        public var gateDeviations = 2.0
        /// Variance (object sizes², per second³) of how far an object strays from a straight
        /// path; it widens the gate at low frame rates only (it grows with the interval cubed).
        public var swerve = 18.0
        /// Given the analysis frame and its mask, a pairing loses up to this much score
        /// (overlap plus closeness, at most 2) for an appearance unlike the track's: two
        /// people who cross keep their own tracks. 0 ignores appearance. PETS 2009 frames
        /// 0-300: IDF1 0.440 at 0.5, 0.536 at 0.8, 0.538 at 1.0 (0.52-0.56 over scales 20-40
        /// at 0.8-1.0, 0.44-0.56 at 0.5); vehicles on us101-seq3 and highway-cctv unchanged.
        public var appearanceWeight = 0.8
        /// Grey levels apart (the mean over the upper and lower half) that cost the whole weight.
        public var appearanceScale = 40.0
        /// How fast a track's appearance follows its measurements (a fraction per measured frame).
        public var appearanceRate = 0.2
        public init() {}
    }

    public var settings: Settings
    public var classifier: ObjectClassifier
    public var perspective: PerspectiveScale?
    public private(set) var tracks: [Track] = []
    private var nextID = 1
    private var lastPTS: Double?
    // Reused every frame.
    private var pairs: [(score: Double, track: Int, blob: Int)] = []
    private var blobOwner: [Int] = []
    private var blobCentreX: [Double] = []
    private var blobCentreY: [Double] = []
    private var trackBlob: [Int] = []
    private var measurement: [Box] = []
    private var merged: [Bool] = []
    /// Per track, this frame: a piece of the usual object's size joined its own blob of that size.
    private var joinedObject: [Bool] = []
    /// The measured boxes of one object's size this frame, with their track (`foldPieces`).
    private var wholeBoxes: [(track: Int, box: Box)] = []
    /// Per blob this frame: its appearance once measured, and whether it has been.
    private var blobAppearance: [Appearance?] = []
    private var blobMeasured: [Bool] = []
    /// The two best pairing scores per track and per blob this frame.
    private var trackBest: [(Double, Double)] = []
    private var blobBest: [(Double, Double)] = []
    /// The frame and mask of this update, while it runs.
    private var picture: (image: GrayImage, mask: GrayImage)?
    private var updates = 0
    private var grouping = BlobGrouping()
    private var splitting = GroupSplitting()
    private var vehicleSplitting = VehicleSplitting()
    public private(set) var flow = FlowField()
    public private(set) var sizes = ObjectSizeMap()

    public init(settings: Settings = Settings(), classifier: ObjectClassifier = ObjectClassifier(), perspective: PerspectiveScale? = nil,
                grouping: BlobGrouping = BlobGrouping()) {
        self.settings = settings
        self.grouping = grouping
        self.classifier = classifier
        self.perspective = perspective
        tracks.reserveCapacity(64)
        pairs.reserveCapacity(256)
    }

    /// The confirmed tracks in view now: measured this frame, or missed this one frame only
    /// (at 3 frames a second a vehicle hidden for a third of a second is still there) where
    /// the mask still holds foreground at its prediction (`viewForeground`), unless that
    /// coasting box holds the centre of a measured track (the stale box of a group just told
    /// apart, or of an object that a neighbour's blob has taken).
    public var tracksInView: [Track] {
        tracks.filter { track in
            guard track.isConfirmed else { return false }
            guard track.isCoasting else { return true }
            return track.misses <= settings.viewMisses && track.coastSupported
                && !tracks.contains { $0.isConfirmed && !$0.isCoasting && track.box.contains($0.box.centre) }
        }
    }

    /// Forgets every track (after a reconnect or a scene cut); ids keep counting up.
    public mutating func reset() {
        tracks.removeAll(keepingCapacity: true)
        lastPTS = nil
    }

    /// Forgets the learned flow too (the camera was moved or its picture changed size).
    public mutating func resetFlow() { flow.reset(); sizes.reset() }

    /// Feeds one analysed frame's blobs (analysis pixels) at time `pts` (seconds). With the
    /// analysis frame and the mask the blobs came from, tracks also keep their appearance.
    public mutating func update(blobs rawBlobs: [Blob], pts: Double, frameWidth: Int, frameHeight: Int,
                                image: GrayImage? = nil, mask: GrayImage? = nil) {
        var blobs = grouping.group(rawBlobs, frameWidth: frameWidth, frameHeight: frameHeight, perspective: perspective,
                                   flow: settings.learnFlow ? flow : nil, sizes: settings.learnSizes ? sizes : nil)
        if settings.splitGroups, let perspective { blobs = splitting.split(blobs, frameHeight: frameHeight, perspective: perspective, mask: mask) }
        if settings.splitVehicles, settings.learnSizes, let mask, mask.width == frameWidth, mask.height == frameHeight {
            blobs = vehicleSplitting.split(blobs, mask: mask, sizes: sizes)
        }
        // Appearance is measured only where it is needed (`appearance(of:)`): for blobs that
        // two tracks compete for, and every few frames to keep each track's up to date.
        picture = settings.appearanceWeight > 0 ? image.flatMap { image in mask.map { (image, $0) } } : nil
        defer { picture = nil }
        updates &+= 1
        blobAppearance.removeAll(keepingCapacity: true)
        blobAppearance.append(contentsOf: repeatElement(nil, count: blobs.count))
        blobMeasured.removeAll(keepingCapacity: true)
        blobMeasured.append(contentsOf: repeatElement(false, count: blobs.count))
        let dt = min(1, max(0, pts - (lastPTS ?? pts)))
        lastPTS = pts
        predict(dt: dt)
        associate(blobs, dt: dt)
        absorbFragments(blobs, frameWidth: frameWidth, frameHeight: frameHeight)
        markMerged(blobs)
        apply(blobs, pts: pts, frameWidth: frameWidth, frameHeight: frameHeight, mask: mask)
        foldPieces(frameWidth: frameWidth, frameHeight: frameHeight)
        learn(frameWidth: frameWidth, frameHeight: frameHeight)
        spawn(blobs, pts: pts, dt: dt, frameWidth: frameWidth, frameHeight: frameHeight)
        prune(pts: pts, frameWidth: frameWidth, frameHeight: frameHeight)
    }

    private mutating func predict(dt: Double) {
        for index in tracks.indices {
            let size = max(tracks[index].box.width, tracks[index].box.height)
            // Let the velocity wander by about half an object size per second, per second.
            let acceleration = 0.25 * size * size
            tracks[index].x.predict(dt: dt, acceleration: acceleration)
            tracks[index].y.predict(dt: dt, acceleration: acceleration)
            let box = tracks[index].box
            tracks[index].box = Box(x: tracks[index].x.position - box.width / 2, y: tracks[index].y.position - box.height / 2,
                                    width: box.width, height: box.height)
        }
    }

    private mutating func associate(_ blobs: [Blob], dt: Double) {
        pairs.removeAll(keepingCapacity: true)
        // Blob centres side by side in memory, for a first test of every pair that is cheap.
        blobCentreX.removeAll(keepingCapacity: true)
        blobCentreY.removeAll(keepingCapacity: true)
        var widest = 0.0, tallest = 0.0
        for blob in blobs {
            blobCentreX.append(blob.box.x + blob.box.width / 2)
            blobCentreY.append(blob.box.y + blob.box.height / 2)
            widest = max(widest, blob.box.width)
            tallest = max(tallest, blob.box.height)
        }
        // Per track, the blobs that pass the first test, in a buffer on the stack (the same
        // list in a stored array measured slower than the branching loop it replaces).
        let count = blobs.count
        let xs = blobCentreX, ys = blobCentreY
        withUnsafeTemporaryAllocation(of: Int.self, capacity: max(1, count)) { near in
            for (t, track) in tracks.enumerated() {
                let predicted = track.box
                let centre = predicted.centre
                // The filter's own spread, plus how far an object may leave its predicted path in
                // `dt` (a car braking or changing lanes): negligible between frames at 25 a second,
                // most of a car length at 3 a second. Kept out of the filter itself, whose velocity
                // would then follow every jitter of the boxes at high frame rates.
                let size = max(predicted.width, predicted.height)
                let swerve = settings.swerve * size * size * dt * dt * dt
                let spread = (track.x.positionVariance + track.y.positionVariance + 2 * swerve).squareRoot()
                // No blob's centre farther than this can touch the predicted box or lie within the gate.
                let widestGate = settings.gate * max(size, max(widest, tallest)) + settings.gateDeviations * spread
                let reachX = max(widestGate, (predicted.width + widest) / 2), reachY = max(widestGate, (predicted.height + tallest) / 2)
                // The first test for every blob, without a branch per blob (which blobs pass is
                // unpredictable, and mispredicted branches cost more than the test): the ones
                // within reach are listed, and only those looked at (50 objects: 4 % faster).
                var found = 0
                for b in 0..<count {
                    near[found] = b
                    let outX = abs(xs[b] - centre.x) > reachX, outY = abs(ys[b] - centre.y) > reachY
                    found &+= (outX ? 0 : 1) & (outY ? 0 : 1)
                }
                for index in 0..<found {
                    let b = near[index]
                    let dx = xs[b] - centre.x, dy = ys[b] - centre.y
                    let blob = blobs[b]
                    let gate = settings.gate * max(size, max(blob.box.width, blob.box.height)) + settings.gateDeviations * spread
                    // Most pairs are far apart and neither touch nor fall within the gate: skip them
                    // before the square root and the overlap.
                    let apart = abs(dx) * 2 >= predicted.width + blob.box.width || abs(dy) * 2 >= predicted.height + blob.box.height
                    if apart && dx * dx + dy * dy >= gate * gate { continue }
                    let overlap = apart ? 0 : predicted.intersectionOverUnion(blob.box)
                    let distance = (dx * dx + dy * dy).squareRoot()
                    guard overlap > 0.05 || distance < gate else { continue }
                    // Sizes that disagree badly are a different object (or a merge, handled below).
                    let sizeRatio = max(blob.box.area, 1) / max(predicted.area, 1)
                    guard sizeRatio < 4 && sizeRatio > 0.25 else { continue }
                    pairs.append((overlap + max(0, 1 - distance / gate), t, b))
                }
            }
        }
        if picture != nil { weighAppearance(blobs) }
        pairs.sort { $0.score != $1.score ? $0.score > $1.score : ($0.track, $0.blob) < ($1.track, $1.blob) }
        trackBlob.removeAll(keepingCapacity: true)
        trackBlob.append(contentsOf: repeatElement(-1, count: tracks.count))
        blobOwner.removeAll(keepingCapacity: true)
        blobOwner.append(contentsOf: repeatElement(-1, count: blobs.count))
        for pair in pairs where trackBlob[pair.track] < 0 && blobOwner[pair.blob] < 0 {
            trackBlob[pair.track] = pair.blob
            blobOwner[pair.blob] = pair.track
        }
        measurement.removeAll(keepingCapacity: true)
        for index in tracks.indices { measurement.append(trackBlob[index] >= 0 ? blobs[trackBlob[index]].box : tracks[index].box) }
        joinedObject.removeAll(keepingCapacity: true)
        joinedObject.append(contentsOf: repeatElement(false, count: tracks.count))
    }

    /// Tracks refresh their appearance every this many frames when nothing contests them.
    static let appearanceEvery = 8

    /// The appearance of blob `b`, measured on first use this frame.
    private mutating func appearance(of b: Int, _ blobs: [Blob]) -> Appearance? {
        guard let picture else { return nil }
        if !blobMeasured[b] {
            blobMeasured[b] = true
            blobAppearance[b] = Appearance.measure(blobs[b].box, image: picture.image, mask: picture.mask)
        }
        return blobAppearance[b]
    }

    /// Lowers the score of pairs whose blob looks unlike the track, where appearance can
    /// change who gets what: for a track whose two best candidate blobs score within the
    /// appearance weight of each other, and for a blob whose two best candidate tracks do.
    /// Elsewhere the pairing is decided by position alone and nothing is measured.
    private mutating func weighAppearance(_ blobs: [Blob]) {
        trackBest.removeAll(keepingCapacity: true)
        trackBest.append(contentsOf: repeatElement((-Double.infinity, -Double.infinity), count: tracks.count))
        blobBest.removeAll(keepingCapacity: true)
        blobBest.append(contentsOf: repeatElement((-Double.infinity, -Double.infinity), count: blobs.count))
        for pair in pairs {
            Self.rank(pair.score, into: &trackBest[pair.track])
            Self.rank(pair.score, into: &blobBest[pair.blob])
        }
        let weight = settings.appearanceWeight
        for index in pairs.indices {
            let pair = pairs[index]
            let trackOpen = trackBest[pair.track].0 - trackBest[pair.track].1 <= weight
            let blobOpen = blobBest[pair.blob].0 - blobBest[pair.blob].1 <= weight
            guard trackOpen || blobOpen, let seen = tracks[pair.track].appearance, let measured = appearance(of: pair.blob, blobs) else { continue }
            pairs[index].score -= weight * min(1, seen.distance(to: measured) / settings.appearanceScale)
        }
    }

    /// Keeps the two highest scores seen.
    @inline(__always) private static func rank(_ score: Double, into best: inout (Double, Double)) {
        if score > best.0 { best = (score, best.0) } else if score > best.1 { best.1 = score }
    }

    /// A free blob lying mostly inside a matched track's predicted box is part of it.
    private mutating func absorbFragments(_ blobs: [Blob], frameWidth: Int, frameHeight: Int) {
        for (b, blob) in blobs.enumerated() where blobOwner[b] < 0 {
            var best = -1, bestCover = 0.5
            for (t, track) in tracks.enumerated() where trackBlob[t] >= 0 {
                let grown = track.box.expanded(by: 0.15)
                let cover = grown.intersectionArea(blob.box) / max(blob.box.area, 1)
                if cover > bestCover { best = t; bestCover = cover }
            }
            guard best >= 0 else { continue }
            // A blob as big as the track's own beside it across the flow is the vehicle in the
            // next lane, however close (a near vehicle's pieces side by side are smaller).
            let ownBox = blobs[trackBlob[best]].box
            if settings.learnFlow && blob.box.area >= 0.5 * ownBox.area
                && flow.separates(ownBox, blob.box, frameWidth: frameWidth, frameHeight: frameHeight) { continue }
            // With a perspective, a whole object is never a fragment of another whole one (the
            // car behind, inside the predicted box of a track that had both in one blob); as in
            // the grouping, without one a near car's pieces pass for whole objects.
            if perspective != nil && settings.learnSizes && sizes.holdsWhole(blob.box, frameWidth: frameWidth, frameHeight: frameHeight)
                && sizes.holdsWhole(ownBox, frameWidth: frameWidth, frameHeight: frameHeight) { continue }
            let joined = measurement[best].union(blob.box)
            // Never grow a measurement into something much bigger than its own blob (a chain
            // of absorbed neighbours would otherwise swallow the traffic around a lorry).
            // A piece may join when the result stays within the extent the object's own blob
            // showed lately, or half as much again as its own blob; a small piece
            // (a lorry's wake, a bumper) may also fill the box grown a little. A piece as big
            // as a car may not grow the box: it would allow the next absorption, and a convoy
            // would ratchet into one track.
            let own = blobs[trackBlob[best]].box.area
            let fits = joined.area <= max(1.5 * own, 1.1 * tracks[best].wholeArea)
                || (blob.box.area < 0.25 * own && joined.area <= tracks[best].box.expanded(by: 0.1).area)
            guard fits else { continue }
            measurement[best] = joined
            blobOwner[b] = best
            if blob.box.area >= 0.5 * own && isWholeObject(blob.box, frameWidth: frameWidth, frameHeight: frameHeight)
                && isWholeObject(blobs[trackBlob[best]].box, frameWidth: frameWidth, frameHeight: frameHeight) {
                joinedObject[best] = true
            }
        }
    }

    /// Whether a box is at least 0.6 of the usual object's area where it lies (the size map's
    /// median there; false while it knows none). By area, so a long thin piece counts: it only
    /// decides whether a remembered extent may fade. What may never join is decided by
    /// `ObjectSizeMap.holdsWhole`, width and height each.
    private func isWholeObject(_ box: Box, frameWidth: Int, frameHeight: Int) -> Bool {
        guard settings.learnSizes, let usual = sizes.median(at: box.centre, frameWidth: frameWidth, frameHeight: frameHeight) else { return false }
        return box.area >= 0.6 * usual.width * usual.height
    }

    /// An unmatched track whose predicted box is mostly covered by a blob that belongs to
    /// another track is inside a merge: it coasts; the other track coasts too when the
    /// blob is far bigger than it, since that blob's box describes neither object.
    private mutating func markMerged(_ blobs: [Blob]) {
        merged.removeAll(keepingCapacity: true)
        merged.append(contentsOf: repeatElement(false, count: tracks.count))
        for (t, track) in tracks.enumerated() where trackBlob[t] < 0 {
            for (b, blob) in blobs.enumerated() {
                let cover = track.box.intersectionArea(blob.box) / max(track.box.area, 1)
                guard cover >= 0.4 else { continue }
                merged[t] = true
                let owner = blobOwner[b]
                if owner >= 0 && owner != t && blob.box.area > 1.5 * tracks[owner].box.area {
                    merged[owner] = true
                    trackBlob[owner] = -1
                }
                if owner < 0 { blobOwner[b] = t }
                break
            }
        }
    }

    private mutating func apply(_ blobs: [Blob], pts: Double, frameWidth: Int, frameHeight: Int, mask: GrayImage?) {
        for index in tracks.indices {
            if trackBlob[index] >= 0 {
                let box = measurement[index]
                let size = max(box.width, box.height)
                let noise = max(1, 0.0025 * size * size)
                tracks[index].x.update(measurement: box.x + box.width / 2, noise: noise)
                tracks[index].y.update(measurement: box.y + box.height / 2, noise: noise)
                // Size follows the measurement with some smoothing; position comes from the filter.
                let old = tracks[index].box
                let width = old.width * 0.4 + box.width * 0.6, height = old.height * 0.4 + box.height * 0.6
                tracks[index].box = Box(x: tracks[index].x.position - width / 2, y: tracks[index].y.position - height / 2,
                                        width: width, height: height)
                tracks[index].velocity = Point(x: tracks[index].x.velocity, y: tracks[index].y.velocity)
                let previous = tracks[index].measuredBox
                tracks[index].measuredBox = box
                // Kept up to date every `appearanceEvery` frames, and whenever it was measured anyway.
                let ownBlob = trackBlob[index]
                if picture != nil && (blobMeasured[ownBlob] || tracks[index].appearance == nil || updates % Self.appearanceEvery == 0),
                   let measured = appearance(of: ownBlob, blobs) {
                    if tracks[index].appearance == nil { tracks[index].appearance = measured }
                    else { tracks[index].appearance!.follow(measured, rate: settings.appearanceRate) }
                }
                let own = blobs[trackBlob[index]].box.area
                // Halves every half-life since the last measurement (first order: frames are far
                // shorter than a half-life). `lastSeen` is still the previous measurement's time here.
                let fade = max(0, 1 - 0.693 * (pts - tracks[index].lastSeen) / Self.wholeAreaHalfLife)
                // A measurement that fills the remembered extent with pieces (a crawling car whose
                // uniform middle the background has taken) keeps it from fading, but never grows it.
                // Pieces that are each an object of the usual size (cars that came in as one
                // blob and stand apart in a queue) do not keep it: it fades, and they part.
                let whole = tracks[index].wholeArea
                tracks[index].wholeArea = joinedObject[index] ? max(own, whole * fade) : max(own, whole * fade, min(box.area, whole))
                tracks[index].hits += 1
                tracks[index].misses = 0
                tracks[index].lastSeen = pts
                tracks[index].isCoasting = false
                if tracks[index].hits >= settings.confirmationHits
                    || (tracks[index].hits >= 2 && (pts - tracks[index].firstSeen >= settings.confirmationSeconds
                        || movedFar(from: previous, to: box, frameWidth: frameWidth, frameHeight: frameHeight)
                        || (pts - tracks[index].firstSeen >= settings.lowRateSeconds && !isPiece(box, frameWidth: frameWidth, frameHeight: frameHeight)))) {
                    tracks[index].isConfirmed = true
                }
                let vote = classifier.vote(box: box, speed: tracks[index].speed, frameWidth: frameWidth, frameHeight: frameHeight,
                                           perspective: perspective)
                tracks[index].votes.person *= 0.97
                tracks[index].votes.vehicle *= 0.97
                tracks[index].votes.unknown *= 0.97
                switch vote {
                case .person: tracks[index].votes.person += 1
                case .vehicle: tracks[index].votes.vehicle += 1
                case .unknown: tracks[index].votes.unknown += 1
                }
                tracks[index].objectClass = Self.leadingClass(tracks[index].votes, minimum: classifier.minimumVotes)
            } else {
                tracks[index].misses += 1
                tracks[index].isCoasting = true
                // Only a box `tracksInView` may still report is looked at.
                if tracks[index].isConfirmed && tracks[index].misses <= settings.viewMisses, let mask {
                    tracks[index].coastSupported = mask.nonZeroShare(in: tracks[index].box) >= settings.viewForeground
                } else {
                    tracks[index].coastSupported = true
                }
                if merged[index] { tracks[index].lastSeen = min(tracks[index].lastSeen, pts) }
            }
        }
    }

    /// Drops a track that has lain inside a confirmed track's box for `pieceFrames` measured
    /// frames in a row, where that box is no bigger than one object there (1.3 × the median
    /// size the map has seen, however mixed): it is a piece of that object (a car's roof, cut
    /// from its body by the windscreen) with a track of its own, and it would count the object
    /// a second time at a line (highway-cctv frame 496). Boxes bigger than one object (a lorry,
    /// two cars in one, a group) never swallow what lies inside them.
    private mutating func foldPieces(frameWidth: Int, frameHeight: Int) {
        guard settings.learnSizes, settings.pieceFrames > 0 else { return }
        // The confirmed, measured boxes no bigger than one object there: the only boxes a
        // piece can belong to (usually a few), so pairs are tested against those alone.
        wholeBoxes.removeAll(keepingCapacity: true)
        var largest = 0.0
        for index in tracks.indices where trackBlob[index] >= 0 && tracks[index].isConfirmed {
            let box = tracks[index].measuredBox
            guard let usual = sizes.median(at: box.centre, frameWidth: frameWidth, frameHeight: frameHeight),
                  box.width <= 1.3 * usual.width, box.height <= 1.3 * usual.height else { continue }
            wholeBoxes.append((index, box))
            largest = max(largest, box.area)
        }
        var dropped = false
        for inner in tracks.indices where trackBlob[inner] >= 0 {
            let piece = tracks[inner].measuredBox
            // Where objects are alike in size (most frames) no track is half the largest whole.
            let inside = 2 * piece.area <= largest && wholeBoxes.contains { outer, whole in
                outer != inner && 2 * piece.area <= whole.area && whole.intersectionArea(piece) >= 0.7 * piece.area
            }
            tracks[inner].insideFrames = inside ? tracks[inner].insideFrames + 1 : 0
            if tracks[inner].insideFrames >= settings.pieceFrames { dropped = true }
        }
        // Tracks not measured this frame keep their count: a piece hidden for a frame is still one.
        guard dropped else { return }
        // Removed together, with the per-track scratch that `learn` and `prune` read after this.
        var index = 0
        while index < tracks.count {
            if tracks[index].insideFrames >= settings.pieceFrames {
                tracks.remove(at: index)
                trackBlob.remove(at: index)
                merged.remove(at: index)
            } else {
                index += 1
            }
        }
    }

    /// A track's largest own blob fades from memory with this half-life (unless pieces keep
    /// filling it): slowly enough for a vehicle to pass a lamp post that cuts it in two.
    static let wholeAreaHalfLife = 3.0

    static func leadingClass(_ votes: (person: Double, vehicle: Double, unknown: Double), minimum: Int) -> ObjectClass {
        // The first frames' votes have barely faded: `minimum` votes still means about that many frames.
        let minimum = Double(minimum) * 0.9
        if votes.person >= minimum && votes.person > votes.vehicle && votes.person * 2 >= votes.unknown { return .person }
        if votes.vehicle >= minimum && votes.vehicle >= votes.person && votes.vehicle * 2 >= votes.unknown { return .vehicle }
        return .unknown
    }

    /// Confirmed tracks measured this frame teach the flow field their velocity and the size
    /// map their size.
    private mutating func learn(frameWidth: Int, frameHeight: Int) {
        guard settings.learnFlow || settings.learnSizes else { return }
        for (index, track) in tracks.enumerated() where track.isConfirmed && trackBlob[index] >= 0 && !merged[index] {
            let box = track.measuredBox
            if settings.learnFlow {
                flow.observe(velocity: track.velocity, at: box.centre, frameWidth: frameWidth, frameHeight: frameHeight)
            }
            // A track two frames old is as often a fragment or two objects in one as it is an
            // object; by its third measurement it has kept its size (us101-seq3 F 0.830 -> 0.839).
            if settings.learnSizes && track.hits >= 3 { sizes.observe(box, lastCell: &tracks[index].sizeCell, frameWidth: frameWidth, frameHeight: frameHeight) }
        }
    }

    private mutating func spawn(_ blobs: [Blob], pts: Double, dt: Double, frameWidth: Int, frameHeight: Int) {
        for (b, blob) in blobs.enumerated() where blobOwner[b] < 0 {
            // Not where a track already is: a piece of a known object, not a new one. When groups
            // are split, a coasting track much bigger than the piece does not count: that is the
            // stale box of a group just told apart, whose members need tracks of their own.
            let splitting = settings.splitGroups
            let covered = tracks.contains {
                $0.box.intersectionArea(blob.box) > 0.3 * max(blob.box.area, 1)
                    && (!splitting || !$0.isCoasting || $0.box.area < 2 * blob.box.area)
            }
            guard !covered else { continue }
            var prior = settings.learnFlow
                ? flow.velocity(at: blob.box.centre,
                                frameWidth: frameWidth, frameHeight: frameHeight)
                : nil
            // How far the flow carries an object between two frames, in its own sizes. Only where
            // that is a good part of one (a low frame rate) does a newborn track need the flow; at
            // 25 frames a second it finds its object next to where it was born anyway.
            let carried = prior.map { ($0.x * $0.x + $0.y * $0.y).squareRoot() * dt / max(blob.box.width, blob.box.height) } ?? 0
            if carried < 0.3 { prior = nil }
            let lowRate = dt >= settings.confirmationSeconds || (prior != nil && carried >= settings.lowRateMotion)
            var track = Track(id: nextID, box: blob.box, pts: pts, prior: prior)
            if settings.confirmOnSight && lowRate && looksUsual(blob.box, carried: prior != nil, frameWidth: frameWidth, frameHeight: frameHeight) {
                track.isConfirmed = true
            }
            if picture != nil { track.appearance = appearance(of: b, blobs) }
            tracks.append(track)
            nextID += 1
        }
    }

    /// Two measurements at least `lowRateMotion` of the object's size apart, of an object at
    /// least about the usual size there: for this object the frame rate is low, as
    /// `confirmationSeconds` says of the timestamps, so its second hit confirms it. On m30-hd
    /// (10 frames a second) the cars of the middle distance cross the picture in a handful of
    /// frames and, waiting for a third hit, were lost for many of them (tracks F with its
    /// perspective at source width 0.500 -> 0.520). The size keeps out pieces: a speck of a
    /// few pixels at 25 frames a second moves half its size in every frame, and without that
    /// check highway-cctv counted one that was confirmed so (m30-hd would reach 0.542).
    private func movedFar(from previous: Box, to box: Box, frameWidth: Int, frameHeight: Int) -> Bool {
        let dx = box.centre.x - previous.centre.x, dy = box.centre.y - previous.centre.y
        let reach = settings.lowRateMotion * max(box.width, box.height)
        guard dx * dx + dy * dy >= reach * reach, let ratio = sizeRatio(box, frameWidth: frameWidth, frameHeight: frameHeight) else { return false }
        return ratio.width >= Self.alike.lowerBound && ratio.height >= Self.alike.lowerBound
    }

    /// A box under two-thirds of the usual object's width and height where it lies (false
    /// where no usual size is known).
    private func isPiece(_ box: Box, frameWidth: Int, frameHeight: Int) -> Bool {
        guard let ratio = sizeRatio(box, frameWidth: frameWidth, frameHeight: frameHeight) else { return false }
        return ratio.width < Self.alike.lowerBound && ratio.height < Self.alike.lowerBound
    }

    /// Width and height against the usual object's where the box is: the objects are alike.
    private static let alike = 0.67...1.5

    /// The box's width and height as shares of the usual object's at its centre; nil where no
    /// usual size is known (not learned yet, or sizes vary too much there).
    private func sizeRatio(_ box: Box, frameWidth: Int, frameHeight: Int) -> (width: Double, height: Double)? {
        guard settings.learnSizes, let usual = sizes.size(at: box.centre, frameWidth: frameWidth, frameHeight: frameHeight) else { return nil }
        return (box.width / usual.width, box.height / usual.height)
    }

    /// A new blob that is what this camera's objects look like where it appears: the usual
    /// size at its row (a part of it at the picture's edge), entering at the edge or where the
    /// learned flow carries objects.
    private func looksUsual(_ box: Box, carried: Bool, frameWidth: Int, frameHeight: Int) -> Bool {
        let edge = box.x <= 1 || box.y <= 1 || box.x + box.width >= Double(frameWidth) - 1 || box.y + box.height >= Double(frameHeight) - 1
        guard carried || edge, let ratio = sizeRatio(box, frameWidth: frameWidth, frameHeight: frameHeight) else { return false }
        return Self.alike.contains(ratio.height) && (Self.alike.contains(ratio.width) || (edge && ratio.width <= Self.alike.upperBound))
    }

    private mutating func prune(pts: Double, frameWidth: Int, frameHeight: Int) {
        let maxMisses = settings.tentativeMisses
        let coast = settings.maximumCoastSeconds, mergedCoast = settings.maximumMergedSeconds
        var index = 0
        while index < tracks.count {
            let track = tracks[index]
            let centreX = track.box.x + track.box.width / 2, centreY = track.box.y + track.box.height / 2
            let outside = centreX < 0 || centreY < 0 || centreX > Double(frameWidth) || centreY > Double(frameHeight)
            let wasMerged = index < merged.count && merged[index]
            let limit = wasMerged ? mergedCoast : coast
            let dead = outside || (track.isConfirmed ? pts - track.lastSeen > limit : track.misses >= maxMisses)
            if dead {
                tracks.remove(at: index)
                if index < merged.count { merged.remove(at: index) }
            } else {
                index += 1
            }
        }
    }
}
