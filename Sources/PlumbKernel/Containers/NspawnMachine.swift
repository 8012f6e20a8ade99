/// systemd-nspawn containers that systemd-machined never heard of (`--register=no`, or no systemd as init),
/// so there is no `machine-NAME.scope` cgroup to read. Two traces remain: the container's init is a child of
/// the `systemd-nspawn` process, whose command line says `-M NAME` or `-D DIR` (the machine is named after the
/// directory's last component then); and nspawn bind-mounts /run/systemd/nspawn/propagate/NAME into the
/// container at /run/host/incoming, which the init's mount table shows.
enum NspawnMachine {
    static let propagate = "/run/systemd/nspawn/propagate/"

    /// The machine whose propagate directory the namespace's first process has mounted (the parent's command
    /// line is read first, by `ParentProcess`).
    static func identity(fs: RootFS, pid: Int32) -> (identity: ContainerIdentity, source: String)? {
        guard let mounts = fs.text("/proc/\(pid)/mountinfo") else { return nil }
        for line in mounts.split(whereSeparator: \.isNewline) {
            // Field 4 is the mount's root inside its file system: the propagate directory of this machine.
            let f = line.split(separator: " ", maxSplits: 4)
            guard f.count > 4, f[3].hasPrefix(propagate) else { continue }
            let name = String(f[3].dropFirst(propagate.count))
            guard !name.isEmpty, !name.contains("/") else { continue }
            return (ContainerIdentity(.nspawn, id: name, name: name), propagate + name)
        }
        return nil
    }

    /// The machine name nspawn uses: `-M`/`--machine`, else the last component of `-D`/`--directory`, else
    /// the image file's name without its extension (`-i`/`--image`). Options end at the first argument that
    /// is not one (the container's own command follows) or at `--`.
    static func machineName(argv: [String]) -> String? {
        var machine: String?, directory: String?, image: String?
        var i = 1
        while i < argv.count {
            let a = argv[i]
            if a == "--" || !a.hasPrefix("-") || a == "-" { break }
            var option = a, value: String?
            if a.hasPrefix("--") {
                if let eq = a.firstIndex(of: "=") {
                    option = String(a[..<eq]); value = String(a[a.index(after: eq)...])
                } else if valueLong.contains(String(a.dropFirst(2))), i + 1 < argv.count {
                    i += 1; value = argv[i]
                }
            } else {
                // Short options may be grouped ("-qbM name"); only the last may take a value.
                let letters = Array(a.dropFirst())
                if let k = letters.firstIndex(where: { valueShort.contains($0) }) {
                    option = "-" + String(letters[k])
                    let rest = String(letters[(k + 1)...])
                    if !rest.isEmpty { value = rest } else if i + 1 < argv.count { i += 1; value = argv[i] }
                }
            }
            switch option {
            case "-M", "--machine": machine = value
            case "-D", "--directory": directory = value
            case "-i", "--image": image = value
            default: break
            }
            i += 1
        }
        func last(_ path: String?) -> String? {
            path.flatMap { $0.split(separator: "/").last.map(String.init) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        if let machine, !machine.isEmpty { return machine }
        if let d = last(directory) { return d }
        if let f = last(image) { return f.split(separator: ".").first.map(String.init) ?? f }
        return nil
    }

    /// Short options of systemd-nspawn that take a value.
    private static let valueShort: Set<Character> = ["D", "i", "u", "M", "S", "E", "p", "L", "Z"]
    /// Long options of systemd-nspawn whose value may follow as the next argument.
    private static let valueLong: Set<String> = [
        "directory", "template", "image", "oci-bundle", "user", "machine", "uuid", "slice", "property", "register",
        "bind", "bind-ro", "inaccessible", "tmpfs", "overlay", "overlay-ro", "setenv", "chdir", "pivot-root",
        "network-interface", "network-macvlan", "network-ipvlan", "network-bridge", "network-zone",
        "network-veth-extra", "network-namespace-path", "port", "link-journal", "capability", "drop-capability",
        "kill-signal", "personality", "settings", "hostname", "resolv-conf", "timezone", "console", "root-hash",
        "root-hash-sig", "verity-data", "system-call-filter", "rlimit", "oom-score-adjust", "cpu-affinity",
        "notify-ready", "selinux-context", "selinux-apifs-context", "load-credential", "set-credential",
        "bind-user", "suppress-sync", "no-new-privileges", "private-users-ownership",
    ]
}
