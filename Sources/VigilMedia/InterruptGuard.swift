import CFFmpeg

/// Owns the state FFmpeg's AVIOInterruptCB polls, so every blocking call on a
/// source has a deadline and a dead camera can never hang the process.
final class InterruptGuard {
    let state: UnsafeMutablePointer<VigilInterruptState>

    init() {
        state = .allocate(capacity: 1)
        state.initialize(to: VigilInterruptState(deadline_us: 0, abort_requested: 0, fired: 0))
    }

    deinit {
        state.deinitialize(count: 1)
        state.deallocate()
    }

    func arm(seconds: Double) {
        state.pointee.fired = 0
        state.pointee.deadline_us = seconds > 0 ? av_gettime_relative() + Int64(seconds * 1_000_000) : 0
    }

    func disarm() { state.pointee.deadline_us = 0 }

    /// Makes the blocking call in progress (and all later ones) return at once.
    func abort() { state.pointee.abort_requested = 1 }

    var fired: Bool { state.pointee.fired != 0 }
    var aborted: Bool { state.pointee.abort_requested != 0 }
}
