import Glibc
import PlumbSystem
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
        // The mount point: an empty file, closed again at once.
        guard let mountPoint = FileDescriptor.openIfPresent(path, O_RDONLY | O_CREAT | O_EXCL, mode: 0o444) else {
            throw ActionError.command(step: "ip netns add \(name)", message: SystemError("open", path).description)
        }
        try? mountPoint.close()
        // unshare on a throwaway thread: only that thread moves into the new namespace, and it exits afterwards.
        let result = ResultHolder()
        let t = Thread {
            do {
                try SystemCalls.unshare(.network)
                try SystemCalls.mount("/proc/thread-self/ns/net", on: path, flags: .bind)
            } catch {
                result.error = "\(error)"
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
        if let e = SystemCalls.failure({ () throws(SystemError) in try SystemCalls.detach(path) }), e.code != EINVAL {
            throw ActionError.command(step: "ip netns del \(name)", message: e.description)
        }
        unlink(path)
    }

    private static func prepareDirectory() throws {
        mkdir(directory, 0o755)
        // Already a mount point (iproute2 or an earlier run did this)? Then only ensure it is shared.
        guard let notMounted = SystemCalls.failure({ () throws(SystemError) in try SystemCalls.mount("", on: directory, flags: [.shared, .recursive]) })
        else { return }
        guard notMounted.code == EINVAL else {
            throw ActionError.command(step: "mount --make-shared \(directory)", message: notMounted.description)
        }
        if let e = SystemCalls.failure({ () throws(SystemError) in try SystemCalls.mount(directory, on: directory, flags: [.bind, .recursive]) }) {
            throw ActionError.command(step: "mount --bind \(directory)", message: e.description)
        }
        try? SystemCalls.mount("", on: directory, flags: [.shared, .recursive])
    }
}

import Foundation

final class ResultHolder: @unchecked Sendable {
    var error: String?
    let done = DispatchSemaphore(value: 0)
}
