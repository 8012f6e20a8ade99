/// What `plumb --version` prints. Raised by hand when a release is cut; the JSON outputs carry their own
/// schema versions, which this does not replace.
public enum PlumbVersion {
    public static let number = "0.9.0"
    public static let string = "plumb \(number)"
}
