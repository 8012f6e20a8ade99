import PlumbModel

/// Repeatable `net create` options given once per address family (dual stack): the first value, or the IPv4
/// one, is the network's; an IPv6 one beside it is its IPv6 half.
enum NetworkCLIInput {
    /// `values` as (main, ipv6 half). One value: it is the main one, whatever its family. Two: one of each
    /// family. `isIPv6`: nil when a value does not parse (the service reports it with its own words).
    static func split(_ values: [String], option: String, isIPv6: (String) -> Bool?) throws -> (String?, String?) {
        switch values.count {
        case 0: return (nil, nil)
        case 1: return (values[0], nil)
        case 2:
            let v6 = values.map(isIPv6)
            if v6[0] == false && v6[1] == true { return (values[0], values[1]) }
            if v6[0] == true && v6[1] == false { return (values[1], values[0]) }
            throw CommandFailure(description: "\(option) given twice must be one IPv4 and one IPv6 value (dual stack): got \(values[0]) and \(values[1])",
                                 code: PlumbExit.usage)
        default:
            throw CommandFailure(description: "\(option) is given \(values.count) times: give at most one IPv4 and one IPv6 value",
                                 code: PlumbExit.usage)
        }
    }
}
