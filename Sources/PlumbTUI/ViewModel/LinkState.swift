import PlumbModel

/// What a user needs to know about a link at a glance. "No carrier" is the interesting case: the link is
/// administratively up but its lower layer is not (a veth whose peer is down, a cable pulled).
enum LinkState: Equatable {
    case up, down, noCarrier, other(String)

    init(_ link: Link) {
        if !link.isUp { self = .down; return }
        if !link.hasCarrier { self = .noCarrier; return }
        switch link.operState {
        case "up", "unknown", "": self = .up  // loopback and tun report "unknown" while working
        default: self = .other(link.operState)
        }
    }

    var label: String {
        switch self {
        case .up: return "up"
        case .down: return "down"
        case .noCarrier: return "no carrier"
        case .other(let s): return s
        }
    }

    func style(_ theme: Theme) -> Style {
        switch self {
        case .up: return theme.linkUp
        case .down: return theme.linkDown
        case .noCarrier: return theme.linkNoCarrier
        case .other: return theme.linkUnknown
        }
    }
}
