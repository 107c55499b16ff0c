import VigilClips
import VigilConfig
import VigilEvents

extension ClipPlan.Settings {
    /// The camera's `clips:` settings, resolved into event types.
    public init(_ settings: ClipSettings) {
        self.init(types: Set(settings.types.compactMap(EventType.init(rawValue:))), pre: settings.pre, post: settings.post,
                  longest: settings.longest)
    }
}
