/// How a bus is headed on the map and in the exports.
extension MapNode {
    /// The network's name first, the way its user knows it, and the device after it so it stays findable:
    /// `docker: mynet (br-1a2b3c4d5e6f)`, `podman: front (cni-podman1)`. The device alone when no network name
    /// is known, or the name is only the device's (Docker's `br-ID` read as the network's short id).
    public var title: String {
        guard kind == .bus, let o = owner, let net = o.network, net != name, name != "br-" + net else { return name }
        return "\(o.kind.rawValue): \(net) (\(name))"
    }

    /// The owner as words after the title (`hand-made`, `cni`), nil when the title already says who owns it.
    public var ownerWords: String? {
        guard let o = owner else { return nil }
        return title == name ? o.label : nil
    }
}
