import Foundation
import XCTest
@testable import PlumbActions
import PlumbModel

/// The pure parts of the CNI driver and the bulk forms: config validation, result parsing, error objects,
/// -p ranges, batch merging, and the plan step's inverse.
final class CNIConfigTests: XCTestCase {
    func testConflistAndSingleConfigParse() throws {
        let list = try CNIConfig.parse(#"{"cniVersion":"1.0.0","name":"n","plugins":[{"type":"bridge"},{"type":"portmap"}]}"#)
        XCTAssertEqual(list.types, ["bridge", "portmap"])
        XCTAssertEqual(list.name, "n")
        let single = try CNIConfig.parse(#"{"cniVersion":"0.4.0","name":"s","type":"macvlan","master":"eth0"}"#)
        XCTAssertEqual(single.types, ["macvlan"])
        XCTAssertNil(single.plugins[0]["cniVersion"], "name and cniVersion belong to the list, not the entry")
        XCTAssertEqual(single.plugins[0]["master"] as? String, "eth0")
    }

    func testInvalidConfigsSayWhatIsWrong() {
        func reason(_ text: String) -> String {
            do { _ = try CNIConfig.parse(text); return "accepted" } catch { return "\(error)" }
        }
        XCTAssertTrue(reason("{").contains("not a JSON object"))
        XCTAssertTrue(reason("[1]").contains("not a JSON object"))
        XCTAssertTrue(reason(#"{"name":"x","type":"bridge"}"#).contains("no cniVersion"))
        XCTAssertTrue(reason(#"{"cniVersion":"1.0.0","plugins":[]}"#).contains("non-empty array"))
        XCTAssertTrue(reason(#"{"cniVersion":"1.0.0","plugins":[{"type":"bridge"},{"bridge":"x"}]}"#).contains("plugin 2"))
    }

    func testCheckNeedsVersion040() throws {
        for (v, expected) in [("0.3.1", false), ("0.4.0", true), ("1.0.0", true), ("1.1.0", true), ("0.2.0", false)] {
            XCTAssertEqual(try CNIConfig.parse(#"{"cniVersion":"\#(v)","type":"bridge"}"#).supportsCheck, expected, v)
        }
    }

    func testIpamSubnetFromSubnetOrRanges() throws {
        let a = try CNIConfig.parse(#"{"cniVersion":"1.0.0","type":"bridge","ipam":{"type":"host-local","subnet":"10.213.130.0/24","gateway":"10.213.130.254"}}"#)
        XCTAssertEqual(a.ipamSubnet?.subnet, "10.213.130.0/24")
        XCTAssertEqual(a.ipamSubnet?.gateway, "10.213.130.254")
        let b = try CNIConfig.parse(#"{"cniVersion":"1.0.0","type":"bridge","ipam":{"type":"host-local","ranges":[[{"subnet":"10.213.131.0/24"}]]}}"#)
        XCTAssertEqual(b.ipamSubnet?.subnet, "10.213.131.0/24")
        XCTAssertNil(b.ipamSubnet?.gateway)
        XCTAssertNil(try CNIConfig.parse(#"{"cniVersion":"1.0.0","type":"loopback"}"#).ipamSubnet)
        XCTAssertEqual(try CNIConfig.parse(#"{"cniVersion":"1.0.0","type":"bridge"}"#).bridges, ["cni0"])
    }

    func testPluginsAreFoundInTheSearchPathOrNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pt-cni-unit-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        FileManager.default.createFile(atPath: "\(dir)/ptplug", contents: Data("#!/bin/true\n".utf8), attributes: [.posixPermissions: 0o755])
        FileManager.default.createFile(atPath: "\(dir)/ptipam", contents: Data(), attributes: [.posixPermissions: 0o644])
        let ok = try CNIConfig.parse(#"{"cniVersion":"1.0.0","type":"ptplug"}"#)
        XCTAssertEqual(try ok.resolve(in: ["/nonexistent", dir]), ["\(dir)/ptplug"])
        let notExecutable = try CNIConfig.parse(#"{"cniVersion":"1.0.0","type":"ptplug","ipam":{"type":"ptipam"}}"#)
        XCTAssertThrowsError(try notExecutable.resolve(in: [dir])) { XCTAssertTrue("\($0)".contains("'ptipam' not found"), "\($0)") }
        let traversal = try CNIConfig.parse(#"{"cniVersion":"1.0.0","type":"../ptplug"}"#)
        XCTAssertThrowsError(try traversal.resolve(in: [dir]), "a type is a file name, never a path")
        XCTAssertEqual(CNIConfig.searchPath(environment: ["CNI_PATH": "/a:/b"]), ["/a", "/b", "/usr/lib/cni"])
        XCTAssertEqual(CNIConfig.searchPath(environment: [:]), ["/usr/lib/cni"])
    }

    func testResultAndErrorObjects() {
        let r = CNIResult(#"{"cniVersion":"1.0.0","interfaces":[{"name":"cni0","mac":"x"},{"name":"veth1","mac":"y"},{"name":"eth0","mac":"z","sandbox":"/run/netns/a"}],"ips":[{"address":"10.213.130.2/24","gateway":"10.213.130.1","interface":2}]}"#)
        XCTAssertEqual(r.addresses, [prefix("10.213.130.2/24")])
        XCTAssertEqual(r.hostInterfaces, ["cni0", "veth1"])
        XCTAssertEqual(r.sandboxInterfaces, ["eth0"])
        let e = CNIError.describe(stdout: Array(#"{"cniVersion":"1.0.0","code":7,"msg":"bad config","details":"no bridge"}"#.utf8), stderr: "", status: 1)
        XCTAssertEqual(e, "bad config (no bridge) [CNI error code 7]")
        XCTAssertEqual(CNIError.describe(stdout: [], stderr: "panic: oops\nline 2", status: 2), "panic: oops line 2")
        XCTAssertEqual(CNIError.describe(stdout: [], stderr: "", status: 3), "exit 3")
    }

    func testPortMappingsBecomeRuntimeConfig() throws {
        XCTAssertNil(try CNIDriver.runtimeConfig([]))
        let rc = try XCTUnwrap(try CNIDriver.runtimeConfig([PortMapping(hostIP: ip("127.0.0.1"), hostPort: 8080, containerPort: 80, proto: "udp")]))
        XCTAssertEqual(rc, #"{"portMappings":[{"containerPort":80,"hostIP":"127.0.0.1","hostPort":8080,"protocol":"udp"}]}"#)
    }

    func testCNIStepInverseIsDELAndDryRunNamesEveryPlugin() {
        let add = PlanStep.cni(command: "ADD", plugins: ["/usr/lib/cni/bridge", "/usr/lib/cni/portmap"], conflist: "{}",
                               runtimeConfig: nil, prevResult: nil, containerID: "c1", netns: "/run/netns/a", ifname: "eth0",
                               cniPath: "/usr/lib/cni", in: .named("h"))
        guard case .cni(let cmd, _, _, _, _, let id, _, _, _, _)? = add.inverse else { return XCTFail("no inverse") }
        XCTAssertEqual(cmd, "DEL"); XCTAssertEqual(id, "c1")
        XCTAssertNil(add.inverse?.inverse, "DEL has no inverse")
        let lines = add.description.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertTrue(lines[0].contains("CNI_COMMAND=ADD") && lines[0].hasSuffix("'{its conflist entry + name, cniVersion}'"))
        XCTAssertTrue(add.inverse!.description.split(separator: "\n")[0].contains("/usr/lib/cni/portmap"), "DEL runs in reverse")
    }

    func testPortRangesSpreadOverTargets() {
        XCTAssertEqual(NetworkPlanner.expandRange("8000-8002:80/udp", count: 3).0, ["8000:80/udp", "8001:80/udp", "8002:80/udp"])
        XCTAssertEqual(NetworkPlanner.expandRange("127.0.0.1:8000-8001:80", count: 2).0, ["127.0.0.1:8000:80", "127.0.0.1:8001:80"])
        XCTAssertEqual(NetworkPlanner.expandRange("8000:80", count: 1).0, ["8000:80"])
        XCTAssertNotNil(NetworkPlanner.expandRange("8000-8001:80", count: 3).1)
        XCTAssertNotNil(NetworkPlanner.expandRange("8000:80", count: 2).1)
    }

    /// Numbers beyond a port are refused before any arithmetic (this trapped: 9223372036854775807 - 0 + 1).
    func testPortRangesOutsidePortsAreRefusedNotTrappedOn() {
        for text in ["0-9223372036854775807:80", "9223372036854775806-9223372036854775807:80", "0-1:80",
                     "65535-65536:80", "8001-8000:80", "-8000:80", "8000-:80", "99999999999999999999-1:80"] {
            let (expanded, error) = NetworkPlanner.expandRange(text, count: 2)
            XCTAssertEqual(expanded, [], text)
            XCTAssertNotNil(error, text)
        }
        XCTAssertEqual(NetworkPlanner.expandRange("65534-65535:80", count: 2).0, ["65534:80", "65535:80"])
    }

    func testBatchesMergeIntoOneSectionPerTable() {
        let merged = NetworkPlanner.merge("*nat\n-A X 1\nCOMMIT\n*filter\n-A F 1\nCOMMIT\n*nat\n-A X 2\nCOMMIT\n")
        XCTAssertEqual(merged, "*filter\n-A F 1\nCOMMIT\n*nat\n-A X 1\n-A X 2\nCOMMIT\n")
        XCTAssertEqual(NetworkPlanner.merge(""), "")
    }
}
