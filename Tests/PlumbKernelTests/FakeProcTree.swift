import Foundation

/// Builds a fake /proc in a temporary directory. Namespace links are symlinks whose target text is
/// "net:[ID]", exactly what readlink returns on the real /proc, so the scanner cannot tell the difference.
final class FakeProcTree {
    let root: URL
    private let fm = FileManager.default

    init() throws {
        root = fm.temporaryDirectory.appendingPathComponent("pt-proc-\(UUID().uuidString)")
        try fm.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit { try? fm.removeItem(at: root) }

    var path: String { root.path }

    func addProcess(pid: Int32, comm: String, ppid: Int32 = 1, netns: UInt64?, mntns: UInt64 = 4026531841,
                    threads: [(tid: Int32, netns: UInt64)] = [], fds: [Int32: String] = [:],
                    cmdline: [String] = [], mountinfo: String? = nil) throws {
        let dir = root.appendingPathComponent("\(pid)")
        try fm.createDirectory(at: dir.appendingPathComponent("ns"), withIntermediateDirectories: true)
        let threadCount = threads.count + 1
        let stat = "\(pid) (\(comm)) S \(ppid) \(pid) \(pid) 0 -1 0 0 0 0 0 0 0 0 0 20 0 \(threadCount) 0 1 1 1\n"
        try stat.write(to: dir.appendingPathComponent("stat"), atomically: false, encoding: .utf8)
        let cmd = cmdline.map { $0 + "\u{0}" }.joined()
        try cmd.write(to: dir.appendingPathComponent("cmdline"), atomically: false, encoding: .utf8)
        if let netns { try link(dir.appendingPathComponent("ns/net"), "net:[\(netns)]") }
        try link(dir.appendingPathComponent("ns/mnt"), "mnt:[\(mntns)]")
        let task = dir.appendingPathComponent("task")
        try fm.createDirectory(at: task.appendingPathComponent("\(pid)/ns"), withIntermediateDirectories: true)
        if let netns { try link(task.appendingPathComponent("\(pid)/ns/net"), "net:[\(netns)]") }
        for t in threads {
            try fm.createDirectory(at: task.appendingPathComponent("\(t.tid)/ns"), withIntermediateDirectories: true)
            try link(task.appendingPathComponent("\(t.tid)/ns/net"), "net:[\(t.netns)]")
        }
        let fdDir = dir.appendingPathComponent("fd")
        try fm.createDirectory(at: fdDir, withIntermediateDirectories: true)
        for (fd, target) in fds { try link(fdDir.appendingPathComponent("\(fd)"), target) }
        if let mountinfo {
            try mountinfo.write(to: dir.appendingPathComponent("mountinfo"), atomically: false, encoding: .utf8)
        }
    }

    /// A process directory with no stat file: it exited while being read.
    func addVanished(pid: Int32) throws {
        try fm.createDirectory(at: root.appendingPathComponent("\(pid)"), withIntermediateDirectories: true)
    }

    private func link(_ at: URL, _ target: String) throws {
        try fm.createSymbolicLink(atPath: at.path, withDestinationPath: target)
    }
}
