import PlumbCapture
import PlumbFuzz

// `make fuzz`: a long randomized run of every capture decoder over random bytes and mutations of the committed
// pcap fixtures. A crash or hang is the failure; the report is the proof of work.
let args = CommandLine.arguments
let iterations = args.count > 1 ? Int(args[1]) ?? 2_000_000 : 2_000_000
let seed = args.count > 2 ? UInt64(args[2]) ?? 1 : UInt64.random(in: 1...UInt64.max)
let fixtures = ["arp-icmp", "icmp6", "tcp", "dns", "ip6-ext", "dhcp", "truncated", "sll", "sll2", "vlan", "raw-ip", "vxlan",
                "malformed"].map { "Tests/PlumbCaptureTests/Fixtures/\($0).pcap" }
let corpus = fuzzCorpus(captureFiles: fixtures)
print("fuzzing \(iterations) inputs (seed \(seed), \(corpus.count) corpus frames)")
let report = runFuzz(iterations: iterations, seed: seed, corpus: corpus, mutations: iterations / 4)
print(report)
