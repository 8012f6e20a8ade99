import PlumbModel

/// The doctor: checks over a `Snapshot` that produce findings, each with the evidence, an explanation, a fix
/// plan and an undo plan. Pure: it reads the model and never touches the kernel, so every check is testable
/// on fixtures and nearly free next to taking the snapshot.
public enum PlumbDoctor {}
