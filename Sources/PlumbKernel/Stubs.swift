// TEMPORARY until the parsers land.
import PlumbModel
public enum IptablesSaveParser { public static func parse(_ t: String, family: String) throws -> [FirewallTable] { [] } }
public enum NftJsonParser { public static func parse(_ d: [UInt8], skipIptablesManaged: Bool) throws -> [FirewallTable] { [] } }
