import VigilVision

/// Writes `--tracks-out`: the confirmed tracks in view per frame in MOTChallenge CSV, in
/// source pixels. A recorded clip is read after the fact, so a track's frames from before it
/// was confirmed (its first measured sightings, two at most by default) are written too
/// once it is confirmed: the object was there, the tracker only waited to be sure. A track
/// never confirmed writes nothing. Those earlier lines are written with the frame that
/// confirmed their track, after other tracks' lines of their own frames; readers of the
/// format group lines by frame.
final class TrackFileWriter {
    private let file: LineFileWriter
    /// Boxes (analysis pixels) of the tentative tracks in the frames they were measured in.
    private var tentative: [Int: [(frame: Int, box: Box)]] = [:]
    /// Ids of the tracks in this frame, to forget the tentative ones that died.
    private var present = Set<Int>()

    init(path: String) throws {
        file = try LineFileWriter(path: path)
    }

    /// The tracks after analysing frame `index`, scaled by `scaleX`, `scaleY` to source pixels.
    func write(frame index: Int, tracker: Tracker, scaleX: Double, scaleY: Double) throws {
        present.removeAll(keepingCapacity: true)
        for track in tracker.tracks {
            present.insert(track.id)
            if !track.isConfirmed {
                if !track.isCoasting { tentative[track.id, default: []].append((index, track.box)) }
            } else if let earlier = tentative.removeValue(forKey: track.id) {
                for sighting in earlier { try line(frame: sighting.frame, id: track.id, box: sighting.box, scaleX: scaleX, scaleY: scaleY) }
            }
        }
        if tentative.keys.contains(where: { !present.contains($0) }) { tentative = tentative.filter { present.contains($0.key) } }
        // A track coasting longer than a frame is left out: its box is a guess.
        for track in tracker.tracksInView { try line(frame: index, id: track.id, box: track.reportedBox, scaleX: scaleX, scaleY: scaleY) }
    }

    private func line(frame: Int, id: Int, box: Box, scaleX: Double, scaleY: Double) throws {
        try file.write("\(frame + 1),\(id),\(ClipAnalysis.rounded(box.x * scaleX, 2)),\(ClipAnalysis.rounded(box.y * scaleY, 2)),"
            + "\(ClipAnalysis.rounded(box.width * scaleX, 2)),\(ClipAnalysis.rounded(box.height * scaleY, 2)),1,-1,-1,-1\n")
    }

    func close() throws { try file.close() }
}
