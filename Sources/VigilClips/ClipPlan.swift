import VigilEvents

/// Which events share a clip and when it ends: a small state machine fed with events and
/// the times of the packets as they arrive (seconds on the frames' timeline). It decides;
/// `ClipRecorder` does the writing.
///
/// A clip opens on an event of a configured type, `pre` seconds before it. Every further
/// such event that starts while the clip is recording joins it. The clip ends `post` seconds
/// after the last of its events has ended (a one-off event ends where it starts), or
/// `longest` seconds after its start, whichever comes first.
public struct ClipPlan: Sendable {
    public struct Settings: Sendable, Equatable {
        public var types: Set<EventType>
        public var pre: Double
        public var post: Double
        public var longest: Double

        public init(types: Set<EventType>, pre: Double = 5, post: Double = 10, longest: Double = 120) {
            self.types = types
            self.pre = pre
            self.post = post
            self.longest = longest
        }
    }

    public struct Clip: Sendable, Equatable {
        public var name: String
        /// Where the video starts (the first event's time minus `pre`).
        public var start: Double
        /// The first event's time.
        public var firstEvent: Double
        /// When the clip ends; nil while one of its events lasts.
        public var until: Double?
        /// The ids of the events it shows, in order.
        public var events: [String] = []
        /// Events that started in this clip and have not ended, by their identity.
        var lasting: Set<String> = []

        /// The latest time the clip may show.
        public func endsBy(longest: Double) -> Double {
            min(until ?? .infinity, start + longest)
        }
    }

    public enum Decision: Sendable, Equatable {
        /// The event is not one that clips show.
        case none
        /// A new clip starts; the previous one, if any, was closed first (`closed`).
        case opens(Clip, closed: Clip?)
        /// The event belongs to the clip being recorded.
        case joins(Clip)
    }

    public let settings: Settings
    public private(set) var current: Clip?

    public init(settings: Settings) { self.settings = settings }

    /// Where `event`, at `time`, goes. `name` names a new clip.
    public mutating func admit(_ event: Event, at time: Double, name: () -> String) -> Decision {
        let identity = Self.identity(of: event)
        if event.state == .end {
            // Some rules end a zone's event without naming the track that started it.
            guard var clip = current,
                  let started = clip.lasting.contains(identity) ? identity
                    : event.track == nil ? clip.lasting.sorted().first(where: { $0.hasPrefix(identity) }) : nil else { return .none }
            clip.lasting.remove(started)
            clip.events.append(event.id)
            if clip.lasting.isEmpty { clip.until = max(clip.until ?? -.infinity, time + settings.post) }
            current = clip
            return .joins(clip)
        }
        guard settings.types.contains(event.type) else { return .none }
        if var clip = current, time < clip.endsBy(longest: settings.longest) {
            clip.events.append(event.id)
            if event.type.isDurational {
                clip.lasting.insert(identity)
                clip.until = nil
            } else if clip.lasting.isEmpty {
                clip.until = max(clip.until ?? -.infinity, time + settings.post)
            }
            current = clip
            return .joins(clip)
        }
        let closed = current
        var clip = Clip(name: name(), start: time - settings.pre, firstEvent: time, until: nil, events: [event.id])
        if event.type.isDurational { clip.lasting.insert(identity) } else { clip.until = time + settings.post }
        current = clip
        return .opens(clip, closed: closed)
    }

    /// True when a packet at `time` falls after the current clip's end: the clip is complete.
    public func isComplete(at time: Double) -> Bool {
        guard let clip = current else { return false }
        return time > clip.endsBy(longest: settings.longest)
    }

    /// Ends the current clip (complete, or its source is gone) and returns it.
    public mutating func close() -> Clip? {
        defer { current = nil }
        return current
    }

    /// A start and its end share this: the rule (type), where (zone, line) and what (track).
    static func identity(of event: Event) -> String {
        "\(event.type.rawValue)|\(event.zone ?? "")|\(event.line ?? "")|" + (event.track.map(String.init) ?? "")
    }
}
