import VigilPipeline
#if canImport(Glibc)
import Glibc
#endif

/// One line on stderr, redrawn in place: frames, speed and time left.
final class ProgressBar {
    let enabled: Bool
    private var drawn = false

    init(enabled: Bool) { self.enabled = enabled }

    func update(_ progress: ClipProgress) {
        guard enabled else { return }
        let speed = progress.elapsedSeconds > 0 ? Double(progress.framesDecoded) / progress.elapsedSeconds : 0
        var line: String
        if let total = progress.estimatedTotal, total > 0 {
            let fraction = min(1, Double(progress.framesDecoded) / Double(total))
            let filled = Int(fraction * 30)
            let remaining = speed > 0 ? Double(max(0, total - progress.framesDecoded)) / speed : 0
            line = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "] "
            line += "\(progress.framesDecoded)/\(total) frames  \(Int(speed.rounded())) fps  ETA \(Self.clock(remaining))"
        } else {
            line = "\(progress.framesDecoded) frames  \(Int(speed.rounded())) fps  \(Self.clock(progress.elapsedSeconds)) elapsed"
        }
        FileHandleOutput.raw("\r\u{1B}[2K" + line)
        drawn = true
    }

    func clear() {
        guard enabled && drawn else { return }
        FileHandleOutput.raw("\r\u{1B}[2K")
        drawn = false
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let minutes = total / 60, rest = total % 60
        return "\(minutes):" + (rest < 10 ? "0" : "") + "\(rest)"
    }
}
