import ArgumentParser
import PlumbKernel
import PlumbModel

/// `plumb exec TARGET [--net-only] [-- CMD ARGS...]`: a shell or command inside a namespace or container.
struct ExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a shell or a command inside a namespace or container (like nsenter).",
        discussion: """
            A namespace name or id enters that network namespace only. pid:N or a container enters all of the \
            process's namespaces (mount, UTS, IPC, PID, net, cgroup; user only when it differs), as \
            `nsenter -t PID -a` does. Without a command, runs $SHELL (or /bin/sh where $SHELL does not exist) \
            with PLUMB_NS set and the prompt marked [plumb:NAME]. The command's exit code is plumb's.
            The command gets a clean environment: TERM, LANG and HOME from yours, PATH=\(ShellJump.safePath), \
            PLUMB_NS, PS1 and PROMPT_COMMAND, and what you name with --env. File descriptors other than \
            stdin, stdout and stderr are closed.
            Examples: plumb exec web   plumb exec pid:4242 -- ip -j addr   plumb exec db --net-only -- ss -tln
            """)

    @Argument(help: "Namespace name or id, container name or id, pid:N or host.", completion: CompletionSources.targets)
    var target: String

    @Flag(name: .long, help: "Enter only the network namespace, even for a process or container.")
    var netOnly = false

    @Option(name: .customLong("env"), help: ArgumentHelp(
        "Pass NAME from your environment (NAME) or set it (NAME=VALUE) for the command; repeat for more.",
        valueName: "name[=value]"))
    var env: [String] = []

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    func validate() throws {
        if let problem = env.lazy.compactMap(ShellJump.envProblem).first { throw ValidationError(problem) }
    }

    func run() throws {
        try requirePrivileges()
        var options = SnapshotOptions()
        options.firewall = false
        options.netlink = false
        let snap = SnapshotReader(options: options).read()
        let ns = try resolveTarget(target, in: snap)
        var process: Int32? = nil
        if case .pid(let pid) = Target(parsing: target) { process = pid }
        let jump = try ShellJump.into(ns, process: process, in: snap, netOnly: netOnly)
        let code = try jump.run(command, env: env)
        if code != 0 { throw ExitCode(code) }
    }
}
