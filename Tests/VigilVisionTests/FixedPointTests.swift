import Testing
@testable import VigilVision

/// The motion model runs in 16-bit lanes; these check the 16-bit formulations against
/// the plain wide-integer arithmetic they replace, over every value that can occur.
@Suite("16-bit fixed point of the motion model")
struct FixedPointTests {
    @Test("gain scaling equals x × gain / 256, saturated, for every 8.8 level and gain")
    func gainScalingMatchesWideArithmetic() {
        for gain in stride(from: Int32(0), through: 511, by: 7) + [255, 256, 257, 511] {
            let scaling = GainScaling(gain: gain)
            for level in stride(from: 0, through: 65535, by: 13) {
                let expected = min(65535, (level * Int(gain)) >> 8)
                #expect(Int(scaling.apply(UInt16(level))) == expected, "level \(level) gain \(gain)")
            }
        }
    }

    @Test("absolute difference and saturating steps agree with signed arithmetic")
    func saturatingHelpers() {
        for a in stride(from: 0, through: 65535, by: 251) {
            for b in stride(from: 0, through: 65535, by: 257) {
                #expect(Int(absoluteDifference(UInt16(a), UInt16(b))) == abs(a - b))
                #expect(Int(saturatingSubtract(UInt16(a), UInt16(b))) == max(0, a - b))
                #expect(Int(saturatingAdd(UInt16(a), UInt16(b))) == min(65535, a + b))
            }
        }
    }

    @Test("learning rates become shifts, rounded down to a power of two")
    func learningRateShifts() {
        #expect(MotionDetector.shift(forRate: 4) == 6)
        #expect(MotionDetector.shift(forRate: 64) == 2)
        #expect(MotionDetector.shift(forRate: 1) == 8)
        #expect(MotionDetector.shift(forRate: 6) == 6)
        #expect(MotionDetector.shift(forRate: 128) == 1)
        #expect(MotionDetector.shift(forRate: 1000) == 1)
    }
}
