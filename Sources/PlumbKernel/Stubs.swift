// TEMPORARY until the parsers land.
import PlumbModel
public enum IptablesSaveParser { public static func parse(_ t: String, family: String) throws -> [FirewallTable] { [] } }
public enum NftJsonParser { public static func parse(_ d: [UInt8], skipIptablesManaged: Bool) throws -> [FirewallTable] { [] } }
public struct NamespaceEvidence: Sendable {
    public var id: UInt64; public var paths: [String]; public var processes: [(pid: Int32, comm: String)]; public var addresses: [String]
    public init(id: UInt64, paths: [String], processes: [(pid: Int32, comm: String)], addresses: [String]) { self.id = id; self.paths = paths; self.processes = processes; self.addresses = addresses }
}
public struct ContainerAttributor: Sendable { public init(root: String = "/") {}; public func attribute(_ n: [NamespaceEvidence]) -> [UInt64: [Container]] { [:] } }
