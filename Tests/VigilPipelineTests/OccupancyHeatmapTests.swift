import Testing
import VigilPipeline
import VigilVision

@Suite("Occupancy heatmap counts")
struct OccupancyHeatmapTests {
    @Test("counts each pixel's foreground frames exactly, past the 255 frames its byte counters hold and at a width that is not a multiple of 16")
    func countsExactly() {
        let width = 37, height = 5, frames = 600
        var heatmap = OccupancyHeatmap()
        var expected = [UInt32](repeating: 0, count: width * height)
        for frame in 0..<frames {
            // Pixel i is foreground in frames where (frame + i) % (i % 7 + 1) == 0, so the
            // counts differ from pixel to pixel, including the last ones after the vectors.
            var pixels = [UInt8](repeating: 0, count: width * height)
            for i in pixels.indices where (frame + i) % (i % 7 + 1) == 0 {
                pixels[i] = 255
                expected[i] += 1
            }
            heatmap.add(frame: GrayImage(width: width, height: height), mask: GrayImage(width: width, height: height, pixels: pixels))
            if frame == 254 || frame == 255 || frame == 256 {
                #expect(heatmap.counts == expected, "after frame \(frame)")
            }
        }
        #expect(heatmap.frames == frames)
        #expect(heatmap.counts == expected)
        #expect(heatmap.counts[0] == UInt32(frames), "pixel 0 is foreground in every frame")
        #expect(heatmap.counts.contains { $0 < UInt32(frames) / 2 })
    }
}
