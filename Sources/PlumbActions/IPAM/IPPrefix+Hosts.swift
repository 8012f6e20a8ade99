import PlumbModel

/// What the IPAM asks of a subnet beyond the model's prefix math: numbered hosts and the checks on user-given
/// gateways, addresses and ranges.
extension IPPrefix {
    /// Host number `n`, counting the network address as 0: `host(1)` is the usual gateway. Throws when that
    /// address is not a usable host of the subnet (beyond it, or its network or broadcast address).
    public func host<N: BinaryInteger>(_ n: N) throws -> IPAddress {
        guard let k = UInt64(exactly: n), let a = network.advanced(by: k), a >= firstHost, a <= lastHost else {
            throw AddressError.noSuchHost(String(n), subnet: canonical)
        }
        return a
    }

    /// `a` with this subnet's prefix length ("10.213.0.5/24" in 10.213.0.0/24): the address an interface of
    /// the subnet carries (a gateway on its bridge, an endpoint in its sandbox).
    public func interfaceAddress(_ a: IPAddress) -> IPPrefix { IPPrefix(unchecked: a, length: length) }

    /// Checks that `a` may be given out in this subnet as `role` ("gateway", "address"): same family,
    /// inside, and not the network or broadcast address.
    public func checkHost(_ a: IPAddress, role: String) throws {
        guard a.family == family else { throw AddressError.familyMismatch(role: role, a.description, subnet: canonical) }
        guard contains(a) else { throw AddressError.outsideSubnet(role: role, a.description, subnet: canonical) }
        if a < firstHost {
            throw AddressError.reserved(role: role, a, subnet: canonical,
                                        what: family == .ipv4 ? "network address" : "subnet-router anycast address")
        }
        if a > lastHost { throw AddressError.reserved(role: role, a, subnet: canonical, what: "broadcast address") }
    }

    /// Checks that `range` (an --ip-range) lies inside this subnet.
    public func checkRange(_ range: IPPrefix, role: String = "ip-range") throws {
        guard range.family == family else {
            throw AddressError.familyMismatch(role: role, range.description, subnet: canonical)
        }
        guard contains(range.canonical) else {
            throw AddressError.outsideSubnet(role: role, range.description, subnet: canonical)
        }
    }
}
