import Testing
import VigilVision

/// Which box a confirmed track reports (`--tracks-out`, `--annotate`), fed hand-made blobs at
/// 3 frames a second of objects that grow as they come nearer, so the measurement and the
/// smoothed box differ.
@Suite("The box a track reports")
struct ReportedBoxTests {
    static let width = 480, height = 360

    /// Eight frames of one object of `size` growing by `growth` pixels a frame in each
    /// dimension and moving 12 px a frame, then one frame without it; the track after the
    /// eighth frame and after the ninth.
    static func track(size: (width: Double, height: Double), growth: Double) -> (measured: Track?, coasting: Track?) {
        var tracker = Tracker()
        var measured: Track?
        for frame in 0..<9 {
            let t = Double(frame) / 3
            let grown = Double(frame) * growth
            let blobs = frame < 8 ? [Box(x: 100 + 12 * Double(frame), y: 120, width: size.width + grown, height: size.height + grown)] : []
            tracker.update(blobs: blobs.map { Blob(box: $0, area: Int($0.area * 0.8), centroid: $0.centre) }, pts: t,
                           frameWidth: width, frameHeight: height)
            if frame == 7 { measured = tracker.tracks.first }
        }
        return (measured, tracker.tracks.first)
    }

    @Test("a vehicle reports its measurement, which the smoothed box trails, and its guess while it coasts")
    func vehicleReportsMeasurement() throws {
        let (measured, coasting) = Self.track(size: (40, 24), growth: 4)
        let vehicle = try #require(measured)
        #expect(vehicle.isConfirmed && !vehicle.isCoasting && vehicle.objectClass == .vehicle, "\(vehicle)")
        // The smoothed box is smaller than the growing car: the two differ, so the check below can fail.
        #expect(vehicle.box.width < vehicle.measuredBox.width - 1, "\(vehicle.box) \(vehicle.measuredBox)")
        #expect(vehicle.reportedBox == vehicle.measuredBox)
        let guess = try #require(coasting)
        #expect(guess.isCoasting && guess.reportedBox == guess.box && guess.box != guess.measuredBox, "\(guess)")
    }

    @Test("a person reports the smoothed box: a walker's mask changes shape with every step")
    func personReportsSmoothedBox() throws {
        let person = try #require(Self.track(size: (12, 30), growth: 2).measured)
        #expect(person.isConfirmed && !person.isCoasting && person.objectClass == .person, "\(person)")
        #expect(person.box != person.measuredBox, "\(person.box) \(person.measuredBox)")
        #expect(person.reportedBox == person.box)
    }
}
