// swift-tools-version: 6.0
import PackageDescription

// Module layout: C wrappers (C*) are only imported by PlumbKernel, PlumbActions, PlumbCapture and PlumbTUI;
// PlumbModel is pure values; PlumbCLI is the argument-parser command tree; `plumb` is the thin @main.
let package = Package(
    name: "Plumb",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "plumb", targets: ["plumb"]),
        .executable(name: "plumb-fuzz", targets: ["plumb-fuzz"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The cluster store's etcd client speaks etcd's JSON gateway over HTTP(S) through this client.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
    ],
    targets: [
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncursesw5-dev"])]),
        .systemLibrary(name: "CNetlink", pkgConfig: "libnl-route-3.0",
                       providers: [.apt(["libnl-3-dev", "libnl-route-3-dev"])]),
        // libpcap's API, loaded with dlopen on the first capture (its dependencies slowed every command's start).
        .target(name: "CPcap", linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "CLinuxShims", cSettings: [.define("_GNU_SOURCE")]),
        // Dropped packets: the embedded BPF program (libbpf loaded with dlopen) and the perf tracepoint fallback.
        // bpf/ holds the BPF source, compiled by `make bpf` into the committed drops_bpf_object.h.
        .target(name: "CDrops", exclude: ["bpf"], cSettings: [.define("_GNU_SOURCE")], linkerSettings: [.linkedLibrary("dl")]),
        .target(name: "PlumbModel"),
        // Owning file descriptors and each system call Plumb makes, wrapped once with errors naming the C call.
        .target(name: "PlumbSystem", dependencies: ["PlumbModel", "CLinuxShims"]),
        .target(name: "PlumbCapture", dependencies: ["PlumbModel", "PlumbSystem", "CPcap"],
                // The live capture path touches ring and sink fields per packet; runtime exclusivity checks on
                // those class fields cost more than the copy itself. Debug builds (tests) keep them.
                swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))]),
        // Checks over a snapshot -> findings with fix and undo plans; pure, like the model.
        // `plumb trace`: iptables parser, netfilter evaluator and the path walk over a snapshot; pure.
        .target(name: "PlumbTrace", dependencies: ["PlumbModel"]),
        .target(name: "PlumbDoctor", dependencies: ["PlumbModel", "PlumbTrace"]),
        // `plumb map` and the TUI's Map view: the host as a graph, its deterministic layout and exports; pure.
        .target(name: "PlumbMap", dependencies: ["PlumbModel", "PlumbTrace"]),
        .target(name: "CCursesShim", linkerSettings: [.linkedLibrary("ncursesw")]),
        .target(name: "PlumbTUI", dependencies: ["PlumbModel", "PlumbMap", "CNcursesw", "CCursesShim"]),
        // The live trace's C side: nftables trace events parsed by libnftnl/libmnl, and the probe's socket calls.
        .target(name: "CLiveTrace", linkerSettings: [.linkedLibrary("nftnl"), .linkedLibrary("mnl")]),
        .target(name: "PlumbKernel", dependencies: ["PlumbModel", "PlumbSystem", "CNetlink", "CLinuxShims", "CLiveTrace", "CDrops"]),
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        // Changes the kernel through PlumbKernel's typed sessions: no C module but SQLite.
        .target(name: "PlumbActions", dependencies: ["PlumbModel", "PlumbKernel", "PlumbSystem", "CSQLite", "PlumbCluster"]),
        // The cluster store (etcd v3 through its JSON gateway): the client, the /plumb/v1 key layout and its
        // records. NIO and AsyncHTTPClient types stay inside this module.
        .target(name: "PlumbCluster", dependencies: [
            "PlumbModel", .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // `plumb agent`: registers this host's VTEPs in the cluster store and programs the overlays' forwarding.
        .target(name: "PlumbAgent", dependencies: ["PlumbModel", "PlumbSystem", "PlumbKernel", "PlumbActions", "PlumbCluster"]),
        // `plumb lab`'s demo topology: a user of the actions, not part of them.
        .target(name: "PlumbLab", dependencies: ["PlumbModel", "PlumbSystem", "PlumbKernel", "PlumbActions"]),
        // The TUI's application: event loop, live snapshots, doctor cadence, capture pane; the CLI only starts it.
        .target(name: "PlumbApp", dependencies: [
            "PlumbModel", "PlumbSystem", "PlumbKernel", "PlumbActions", "PlumbCapture", "PlumbDoctor", "PlumbTrace", "PlumbTUI", "PlumbMap",
        ]),
        .target(name: "PlumbCLI", dependencies: [
            "PlumbModel", "PlumbSystem", "PlumbKernel", "PlumbActions", "PlumbTUI", "PlumbCapture", "PlumbDoctor",
            "PlumbTrace", "PlumbLab", "PlumbApp", "PlumbMap", "PlumbCluster", "PlumbAgent",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], swiftSettings: [
            // The JSON writer appends to a class-owned buffer millions of times; runtime exclusivity checks
            // on each append were a fifth of its cost. Debug builds (tests) keep them.
            .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
        ]),
        .executableTarget(name: "plumb", dependencies: ["PlumbCLI"]),
        // The decoder fuzz campaign (`make fuzz` and a short run in PlumbCaptureTests); not product code.
        .target(name: "PlumbFuzz", dependencies: ["PlumbCapture"]),
        .executableTarget(name: "plumb-fuzz", dependencies: ["PlumbFuzz", "PlumbCapture"]),
        // Documents generated from the code (man pages from the command tree, the TUI's keys page): `make docs`.
        .target(name: "PlumbDocs", dependencies: ["PlumbCLI", "PlumbTUI"]),
        .executableTarget(name: "plumb-docs", dependencies: ["PlumbDocs"]),
        // Helpers shared by several test targets (golden-file messages); test code only.
        .target(name: "PlumbTestSupport", path: "Tests/PlumbTestSupport"),
        .testTarget(name: "PlumbModelTests", dependencies: ["PlumbModel"]),
        .testTarget(name: "PlumbSystemTests", dependencies: ["PlumbSystem"]),
        .testTarget(name: "PlumbKernelTests", dependencies: ["PlumbKernel", "PlumbModel"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PlumbCaptureTests", dependencies: ["PlumbCapture", "PlumbFuzz", "PlumbModel"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PlumbTUITests", dependencies: ["PlumbTUI", "PlumbApp", "PlumbModel", "PlumbSystem", "PlumbTestSupport"], resources: [.copy("Golden")]),
        .testTarget(name: "PlumbActionsTests", dependencies: ["PlumbActions", "PlumbModel"]),
        .testTarget(name: "PlumbClusterTests", dependencies: ["PlumbCluster", "PlumbModel"]),
        .testTarget(name: "PlumbAgentTests", dependencies: ["PlumbAgent", "PlumbCluster", "PlumbModel"]),
        .testTarget(name: "PlumbMapTests", dependencies: ["PlumbMap", "PlumbModel", "PlumbTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PlumbDoctorTests", dependencies: ["PlumbDoctor", "PlumbModel"]),
        .testTarget(name: "PlumbTraceTests", dependencies: ["PlumbTrace", "PlumbModel"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PlumbCLITests", dependencies: ["PlumbCLI", "PlumbModel", "PlumbActions", "PlumbDoctor", "PlumbTrace",
                                                      "PlumbCapture", "PlumbLab", "PlumbCluster"],
                    resources: [.copy("Golden")]),
        // The repository's scripts and generated documents (make test's summary line, docs/ up to date).
        .testTarget(name: "PlumbToolingTests", dependencies: ["PlumbDocs", "PlumbCLI"], exclude: ["Fixtures"]),
        .testTarget(name: "PlumbIntegrationTests", dependencies: ["PlumbKernel", "PlumbSystem", "PlumbModel", "PlumbCLI", "PlumbActions", "PlumbApp",
                                                              "PlumbCapture", "PlumbDoctor", "PlumbCluster"]),
    ],
    swiftLanguageModes: [.v6]
)

// Release builds of Plumb's own Swift modules reach generic types' metadata through their accessors instead of
// demangling the types' names at run time: each first instantiation by name (a `KeyedEncodingContainer` of a
// `CodingKeys`, in every journal entry's JSON) looked its conformances up in a linear scan of every conformance
// record in the binary (10,000: Foundation, NIO, ...). A/B on one-endpoint calls: `net connect --new-ns` 19.9 ->
// 16.3 ms, `ns rm --force` 16.0 -> 14.8 ms. (The argument parser's own lookups remain: it is a dependency.)
for target in package.targets where target.type != .test && target.type != .system && target.name.lowercased().hasPrefix("plumb") {
    target.swiftSettings = (target.swiftSettings ?? []) + [
        .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"], .when(configuration: .release)),
    ]
}
