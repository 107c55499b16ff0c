/// Constant-velocity Kalman filter along one image axis: position and velocity with
/// their 2×2 covariance. Two of these (x and y) predict where a track's centre will be.
struct KalmanAxis: Sendable, Equatable {
    private(set) var position: Double
    private(set) var velocity: Double
    // Covariance [[pp, pv], [pv, vv]].
    private var pp: Double, pv: Double, vv: Double

    init(position: Double, velocity: Double = 0, positionVariance: Double, velocityVariance: Double) {
        self.position = position
        self.velocity = velocity
        pp = positionVariance; pv = 0; vv = velocityVariance
    }

    /// Variance of the position estimate (pixels²): how far off the prediction may be.
    var positionVariance: Double { pp }

    /// Moves the state `dt` seconds ahead; `acceleration` is the process noise spectral
    /// density (pixels² / s³): how much the velocity may wander.
    mutating func predict(dt: Double, acceleration: Double) {
        position += velocity * dt
        let dt2 = dt * dt
        pp += dt * (2 * pv + dt * vv) + acceleration * dt2 * dt / 3
        pv += dt * vv + acceleration * dt2 / 2
        vv += acceleration * dt
    }

    /// Folds in a measured position with variance `noise` (pixels²).
    mutating func update(measurement: Double, noise: Double) {
        let innovation = measurement - position
        let s = pp + noise
        let gainPosition = pp / s, gainVelocity = pv / s
        position += gainPosition * innovation
        velocity += gainVelocity * innovation
        let (oldPP, oldPV) = (pp, pv)
        pp = (1 - gainPosition) * oldPP
        pv = (1 - gainPosition) * oldPV
        vv -= gainVelocity * oldPV
    }
}
