import Glibc
import CLinuxShims
import PlumbKernel

/// `ip netns add/del` without running `ip`: a network namespace kept alive by a bind mount at /run/netns/NAME.
/// Like iproute2, /run/netns is made a shared mount point first so the mounts propagate to other mount
/// namespaces (containers started later see them too).
enum NamedNamespaces {
    static let directory = "/run/netns"

    static func validate(_ name: String) throws {
        guard !name.isEmpty, name.utf8.count <= 255, name != ".", name != "..",
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) })
        else {
            throw ActionError.invalid("invalid namespace name '\(name)': use letters, digits, '-', '_' or '.'")
        }
    }

    static func create(_ name: String) throws {
        try validate(name)
        let path = "\(directory)/\(name)"
        if access(path, F_OK) == 0 { throw ActionError.namespaceExists(name) }
        try prepareDirectory()
        let fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw ActionError.command(step: "ip netns add \(name)", message: SystemError("open", path).description) }
        close(fd)
        // unshare on a throwaway thread: only that thread moves into the new namespace, and it exits afterwards.
        let result = ResultHolder()
        let t = Thread {
            if plumb_unshare(plumb_CLONE_NEWNET) != 0 {
                result.error = SystemError("unshare", "CLONE_NEWNET").description
            } else if plumb_mount("/proc/thread-self/ns/net", path, "none", plumb_MS_BIND) != 0 {
                result.error = SystemError("mount", path).description
            }
            result.done.signal()
        }
        t.start()
        result.done.wait()
        if let e = result.error {
            unlink(path)
            throw ActionError.command(step: "ip netns add \(name)", message: e)
        }
    }

    /// Removes the bind mount and the file; the namespace itself goes when nothing else holds it.
    static func delete(_ name: String, missingOK: Bool) throws {
        try validate(name)
        let path = "\(directory)/\(name)"
        if access(path, F_OK) != 0 {
            if missingOK { return }
            throw ActionError.namespaceMissing(name, "no \(path)")
        }
        if plumb_umount(path, plumb_MNT_DETACH) != 0 && errno != EINVAL {
            throw ActionError.command(step: "ip netns del \(name)", message: SystemError("umount2", path).description)
        }
        unlink(path)
    }

    private static func prepareDirectory() throws {
        mkdir(directory, 0o755)
        // Already a mount point (iproute2 or an earlier run did this)? Then only ensure it is shared.
        if plumb_mount("", directory, "none", plumb_MS_SHARED | plumb_MS_REC) == 0 { return }
        guard errno == EINVAL else { throw ActionError.command(step: "mount --make-shared \(directory)", message: SystemError("mount", directory).description) }
        if plumb_mount(directory, directory, "none", plumb_MS_BIND | plumb_MS_REC) != 0 {
            throw ActionError.command(step: "mount --bind \(directory)", message: SystemError("mount", directory).description)
        }
        _ = plumb_mount("", directory, "none", plumb_MS_SHARED | plumb_MS_REC)
    }
}

import Foundation

final class ResultHolder: @unchecked Sendable {
    var error: String?
    let done = DispatchSemaphore(value: 0)
}
