import PlumbModel

extension Link {
    /// The link's addresses as prefixes; text that is not an address is skipped (the checks only reason about
    /// what they can read).
    var prefixes: [IPPrefix] { addresses.compactMap(IPPrefix.init(addressOrPrefix:)) }
}
