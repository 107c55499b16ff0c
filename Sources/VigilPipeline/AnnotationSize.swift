/// What `--annotate` draws on: the grey analysis frames at their size (what the motion step
/// saw), or the source's colour pictures at the source's size (what an operator recognises).
public enum AnnotationSize: String, Sendable, CaseIterable {
    case analysis, source
}
