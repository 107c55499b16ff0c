import Testing
import VigilMedia
import VigilVision

/// The colour heatmap: a perceptual map over the scene, with a legend.
@Suite("Colour heatmap")
struct HeatmapTests {
    @Test("the colour map runs from dark to light without a step back, as a perceptual map must")
    func mapIsOrderedInLightness() {
        var previous = -1.0
        for step in 0...100 {
            let (r, g, b) = HeatmapPainter.colour(Double(step) / 100)
            let lightness = 0.2126 * Double(r) + 0.7152 * Double(g) + 0.0722 * Double(b)
            #expect(lightness >= previous, "step \(step)")
            previous = lightness
        }
        #expect(HeatmapPainter.colour(0) == (0, 0, 4) && HeatmapPainter.colour(1) == (252, 255, 164))
    }

    @Test("hot places take the map's light colours, quiet places keep the scene dimmed, the legend says the peak share")
    func painting() throws {
        let width = 160, height = 120
        var grey = GrayImage(width: width, height: height)
        for i in grey.pixels.indices { grey.pixels[i] = 200 }
        var counts = [UInt32](repeating: 0, count: width * height)
        // A busy square (foreground in 50 of 100 frames) and a quiet path (5 of 100).
        for y in 40..<60 { for x in 20..<40 { counts[y * width + x] = 50 } }
        for x in 20..<100 { counts[90 * width + x] = 5 }
        let painter = HeatmapPainter()
        let rgb = painter.rgb(counts: counts, frames: 100, width: width, height: height, picture: nil, grey: grey)
        func pixel(_ x: Int, _ y: Int) -> (Int, Int, Int) { let i = 3 * (y * width + x); return (Int(rgb[i]), Int(rgb[i + 1]), Int(rgb[i + 2])) }
        let hot = pixel(30, 50), path = pixel(60, 90), quiet = pixel(120, 20)
        #expect(hot.0 > 230 && hot.1 > 230, "hot \(hot)")
        #expect(path.0 > path.2 && path.0 < hot.0, "path \(path)")
        #expect(quiet == (90, 90, 90), "quiet \(quiet)")
        // The legend's bar at the right edge: light at the top, dark at the bottom.
        let barX = width - max(6, width / 60) - 4 + 2, barTop = (height - max(20, height / 2)) / 2
        #expect(pixel(barX, barTop).1 > 200 && pixel(barX, barTop + max(20, height / 2) - 1).1 < 40)
        // Its label is drawn in white above the bar ("50%").
        var white = 0
        for y in (barTop - 9)..<barTop { for x in (width - 30)..<width where pixel(x, y) == (255, 255, 255) { white += 1 } }
        #expect(white > 10)
        let png = try painter.png(counts: counts, frames: 100, width: width, height: height, picture: nil, grey: grey)
        // PNG signature, then IHDR: width, height, bit depth 8, colour type 2 (RGB).
        #expect(Array(png[0..<8]) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(png[24] == 8 && png[25] == 2)
    }
}
