/// How RTSP media travels: interleaved in the RTSP TCP connection, or as RTP over UDP.
public enum RTSPTransport: String, Sendable, CaseIterable {
    /// TCP first; UDP when the server answers TCP with 400 or 461 (as servers that offer
    /// only UDP do). The transport that worked is in `VideoSource.rtspTransportUsed`.
    case auto
    case tcp
    case udp
}
