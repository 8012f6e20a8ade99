import Foundation

/// What a process's cgroup path says about the runtime that placed it.
enum CgroupHint: Equatable {
    case docker(id: String)
    case podman(id: String)
    case containerd(id: String)
    case kubernetes(containerID: String, podUID: String?)
    case lxc(name: String)
    case nspawn(name: String)
}

/// Reads /proc/PID/cgroup. Runtimes name the cgroups they create after the container, in a handful of
/// layouts that depend on the cgroup driver (systemd scopes vs cgroupfs directories).
enum CgroupParser {
    /// The file has one "ID:controllers:path" line per hierarchy; cgroup v2 has only "0::path". The unified
    /// line is tried first, then each v1 line, since hybrid hosts put containers in both.
    static func hint(file text: String) -> CgroupHint? {
        var unified = [Substring]()
        var legacy = [Substring]()
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            if fields[0] == "0" && fields[1].isEmpty { unified.append(fields[2]) } else { legacy.append(fields[2]) }
        }
        for path in unified + legacy {
            if let h = hint(path: path) { return h }
        }
        return nil
    }

    /// Innermost match wins: docker-in-docker and kind nest one runtime's cgroup inside another's, and the
    /// namespace belongs to the inner one.
    static func hint(path: some StringProtocol) -> CgroupHint? {
        let parts = String(path).split(separator: "/").map(String.init)
        for i in parts.indices.reversed() {
            if let h = match(parts, at: i) { return h }
        }
        return nil
    }

    private static func match(_ parts: [String], at i: Int) -> CgroupHint? {
        let c = parts[i]
        let parent = i > 0 ? parts[i - 1] : ""
        let ancestors = parts[..<i]
        // Conmon ("libpod-conmon-<id>.scope", "crio-conmon-<id>.scope") fails the hex check below: it runs in
        // the host namespace and must not claim the container's.
        if ancestors.contains(where: { $0.contains("kubepods") }),
           let id = scopeID(c, ["cri-containerd-", "crio-", "docker-"]) ?? (isHexID(c) ? c : nil) {
            return .kubernetes(containerID: id, podUID: podUID(ancestors))
        }
        if let id = scopeID(c, ["docker-"]) { return .docker(id: id) }
        if parent == "docker" && isHexID(c) { return .docker(id: c) }
        if let id = scopeID(c, ["libpod-"]) { return .podman(id: id) }
        if let id = scopeID(c, ["cri-containerd-", "nerdctl-"]) { return .containerd(id: id) }
        if parent == "containerd" && !c.isEmpty { return .containerd(id: c) }
        // CRI-O only runs pods, even when the kubepods parent is not visible.
        if let id = scopeID(c, ["crio-"]) { return .kubernetes(containerID: id, podUID: nil) }
        if c.hasPrefix("lxc.payload.") && c.count > "lxc.payload.".count {
            return .lxc(name: String(c.dropFirst("lxc.payload.".count)))
        }
        if parent == "lxc.payload" || parent == "lxc" { return .lxc(name: c) }
        if c.hasPrefix("machine-") && c.hasSuffix(".scope") {
            let name = unescapeSystemd(c.dropFirst("machine-".count).dropLast(".scope".count))
            // libvirt registers VMs as machines too; a VM's qemu process lives in the host namespace.
            if !name.isEmpty && !name.hasPrefix("qemu-") { return .nspawn(name: name) }
        }
        return nil
    }

    /// "<prefix><64 hex>[.scope]" -> the hex id.
    private static func scopeID(_ c: String, _ prefixes: [String]) -> String? {
        for p in prefixes where c.hasPrefix(p) {
            var rest = Substring(c.dropFirst(p.count))
            if rest.hasSuffix(".scope") { rest = rest.dropLast(".scope".count) }
            if isHexID(rest) { return String(rest) }
        }
        return nil
    }

    /// The pod uid from "pod<uid>" (cgroupfs driver) or "kubepods-<qos>-pod<uid_with_underscores>.slice"
    /// (systemd driver, which cannot have '-' inside a slice name component).
    private static func podUID(_ ancestors: ArraySlice<String>) -> String? {
        for c in ancestors.reversed() {
            var rest: Substring
            if c.hasSuffix(".slice"), let r = c.range(of: "-pod", options: .backwards) {
                rest = c[r.upperBound...].dropLast(".slice".count)
            } else if c.hasPrefix("pod") {
                rest = c.dropFirst(3)
            } else {
                continue
            }
            let uid = rest.replacingOccurrences(of: "_", with: "-")
            if uid.count >= 8 && uid.allSatisfy({ $0.isHexDigit || $0 == "-" }) { return uid }
        }
        return nil
    }

    /// Docker, Podman, containerd and CRI-O ids: 64 lowercase hex digits.
    static func isHexID(_ s: some StringProtocol) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Undoes systemd unit-name escaping ("my\x2dbox" -> "my-box"); bytes are collected first because one
    /// UTF-8 character may be escaped as several \xNN.
    static func unescapeSystemd(_ s: some StringProtocol) -> String {
        let b = Array(s.utf8)
        var out = [UInt8]()
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == 0x5C, i + 3 < b.count, b[i + 1] == 0x78,
               let hi = hexValue(b[i + 2]), let lo = hexValue(b[i + 3]) {
                out.append(hi << 4 | lo)
                i += 4
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x61...0x66: return c - 0x61 + 10
        case 0x41...0x46: return c - 0x41 + 10
        default: return nil
        }
    }
}
