import Testing
import VigilVision

/// `Appearance` measured on hand-made pictures, and the tracker using it to keep two
/// people who stand close together on their own tracks.
@Suite("Appearance")
struct AppearanceTests {
    static let width = 200, height = 120

    /// A picture with each box filled in two greys (upper half, lower half) and the mask
    /// marking the boxes, on a background of 255 that the mask leaves out.
    static func scene(_ people: [(box: Box, upper: UInt8, lower: UInt8)]) -> (image: GrayImage, mask: GrayImage) {
        var image = GrayImage(width: width, height: height, fill: 255)
        var mask = GrayImage(width: width, height: height)
        for person in people {
            let top = Int(person.box.y), bottom = Int(person.box.y + person.box.height), middle = (top + bottom) / 2
            for y in top..<bottom {
                for x in Int(person.box.x)..<Int(person.box.x + person.box.width) {
                    image.pixels[y * width + x] = y < middle ? person.upper : person.lower
                    mask.pixels[y * width + x] = 255
                }
            }
        }
        return (image, mask)
    }

    @Test("the mean grey of the foreground in each half of the box; the background is left out; too little foreground says nothing")
    func measuring() throws {
        let person = Box(x: 50, y: 20, width: 10, height: 40)
        let (image, mask) = Self.scene([(person, 40, 160)])
        // A box wider than the person: the white background around it must not count.
        let measured = try #require(Appearance.measure(Box(x: 45, y: 20, width: 20, height: 40), image: image, mask: mask))
        // Every second pixel of every second row: columns 51-59 of the person, rows 20-38 above the middle, 40-58 below.
        #expect(measured.upper == 40 && measured.lower == 160 && measured.upperPixels == 50 && measured.lowerPixels == 50, "\(measured)")
        #expect(Appearance.measure(Box(x: 120, y: 20, width: 20, height: 40), image: image, mask: mask) == nil)
        let other = Appearance(upper: 60, lower: 100, upperPixels: 100, lowerPixels: 100)
        #expect(measured.distance(to: other) == 40)
        var following = other
        following.follow(measured, rate: 0.5)
        #expect(following.upper == 50 && following.lower == 130)
    }

    static func blob(_ box: Box) -> Blob {
        Blob(box: box, area: Int(box.area), centroid: Point(x: box.x + box.width / 2, y: box.y + box.height / 2))
    }

    /// Two people 40 px apart stand still for a second, one in a dark coat and one in a light
    /// one; then both step towards each other, each ending nearer the other's place than its
    /// own. By position alone each track takes the nearer blob, the other person's; by
    /// appearance each keeps its own.
    static func run(_ settings: Tracker.Settings) -> (dark: Int?, light: Int?, darkID: Int?, lightID: Int?) {
        var tracker = Tracker(settings: settings)
        let dark = (upper: UInt8(30), lower: UInt8(60)), light = (upper: UInt8(200), lower: UInt8(170))
        var darkID: Int?, lightID: Int?
        for frame in 0..<10 {
            let people = [(Box(x: 60, y: 30, width: 14, height: 42), dark.upper, dark.lower),
                          (Box(x: 100, y: 30, width: 14, height: 42), light.upper, light.lower)]
            let (image, mask) = scene(people)
            tracker.update(blobs: people.map { blob($0.0) }, pts: Double(frame) / 10, frameWidth: width, frameHeight: height, image: image, mask: mask)
        }
        for track in tracker.tracks where track.isConfirmed {
            if track.box.x < 80 { darkID = track.id } else { lightID = track.id }
        }
        // The dark one is now 26 px right of its place and 14 px left of the light one's; the
        // light one 26 px left of its place and 14 px right of the dark one's.
        let people = [(Box(x: 86, y: 30, width: 14, height: 42), dark.upper, dark.lower),
                      (Box(x: 74, y: 30, width: 14, height: 42), light.upper, light.lower)]
        let (image, mask) = scene(people)
        tracker.update(blobs: people.map { blob($0.0) }, pts: 1.0, frameWidth: width, frameHeight: height, image: image, mask: mask)
        let onDark = tracker.tracks.first { !$0.isCoasting && $0.measuredBox.x == 86 }?.id
        let onLight = tracker.tracks.first { !$0.isCoasting && $0.measuredBox.x == 74 }?.id
        return (onDark, onLight, darkID, lightID)
    }

    @Test("two people close together keep their own tracks by appearance; by position alone they swap")
    func keepsIdentity() throws {
        let result = Self.run(Tracker.Settings())
        let darkID = try #require(result.darkID), lightID = try #require(result.lightID)
        #expect(darkID != lightID)
        #expect(result.dark == darkID && result.light == lightID, "\(result)")
        // The control: the same frames without appearance give each blob the nearer track.
        var blind = Tracker.Settings()
        blind.appearanceWeight = 0
        let control = Self.run(blind)
        #expect(control.darkID != nil && control.lightID != nil)
        #expect(control.dark == control.lightID && control.light == control.darkID, "\(control)")
    }
}
