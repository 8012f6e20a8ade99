import Foundation
import PlumbModel

/// Turns `nft -j list ruleset` output into tables (source `nft`, family the nft family), each rule rendered
/// back to nft's own syntax.
///
/// iptables-nft tables show up here too, but only with opaque `xt` expressions; they are read through
/// iptables-save instead, so `skipIptablesManaged` drops them: any table with an `xt` expression, and the
/// standard iptables tables (`ip`/`ip6` filter, nat, mangle, raw, security).
public enum NftJsonParser {
    static let iptablesFamilies: Set<String> = ["ip", "ip6"]
    static let iptablesTables: Set<String> = ["filter", "nat", "mangle", "raw", "security"]

    public static func parse(_ data: [UInt8], skipIptablesManaged: Bool) throws -> [FirewallTable] {
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x09 || $0 == 0x0D }) { return [] }
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(data))
        } catch {
            throw FirewallParseError(line: 0, message: "nft JSON: not valid JSON (\(error.localizedDescription))")
        }
        guard let top = root as? [String: Any], let items = top["nftables"] as? [Any] else {
            throw FirewallParseError(line: 0, message: "nft JSON: no top-level \"nftables\" array")
        }
        var builder = NftTablesBuilder()
        for case let item as [String: Any] in items {
            if let t = item["table"] as? [String: Any] {
                _ = builder.table(family: t["family"] as? String ?? "", name: t["name"] as? String ?? "")
            } else if let c = item["chain"] as? [String: Any] {
                try builder.addChain(c)
            } else if let r = item["rule"] as? [String: Any] {
                try builder.addRule(r)
            }
        }
        return builder.tables.compactMap { entry in
            if skipIptablesManaged && (entry.hasXt || (iptablesFamilies.contains(entry.table.family)
                                                       && iptablesTables.contains(entry.table.name))) {
                return nil
            }
            return entry.table
        }
    }
}

/// Collects tables and chains in listing order, finding them again by name as chains and rules refer to them.
private struct NftTablesBuilder {
    struct Entry {
        var table: FirewallTable
        var chainIndex: [String: Int] = [:]
        var hasXt = false
    }

    var tables: [Entry] = []
    var tableIndex: [String: Int] = [:]

    mutating func table(family: String, name: String) -> Int {
        let key = family + " " + name
        if let i = tableIndex[key] { return i }
        tables.append(Entry(table: FirewallTable(family: family, name: name, source: "nft")))
        tableIndex[key] = tables.count - 1
        return tables.count - 1
    }

    mutating func chain(_ t: Int, _ name: String) -> Int {
        if let i = tables[t].chainIndex[name] { return i }
        tables[t].table.chains.append(FirewallChain(name: name))
        tables[t].chainIndex[name] = tables[t].table.chains.count - 1
        return tables[t].table.chains.count - 1
    }

    func names(_ o: [String: Any], _ what: String, _ keys: String...) throws -> [String] {
        try keys.map { key in
            guard let s = o[key] as? String else {
                throw FirewallParseError(line: 0, message: "nft JSON: \(what) without \"\(key)\"")
            }
            return s
        }
    }

    mutating func addChain(_ o: [String: Any]) throws {
        let n = try names(o, "chain", "family", "table", "name")
        let t = table(family: n[0], name: n[1])
        let c = chain(t, n[2])
        if let hook = o["hook"] as? String {
            // Base chain: nft's default policy is accept.
            tables[t].table.chains[c].hook = hook
            tables[t].table.chains[c].policy = (o["policy"] as? String ?? "accept").uppercased()
        }
    }

    mutating func addRule(_ o: [String: Any]) throws {
        let n = try names(o, "rule", "family", "table", "chain")
        let t = table(family: n[0], name: n[1])
        let c = chain(t, n[2])
        let exprs = o["expr"] as? [Any] ?? []
        let rendered = NftRuleRenderer.render(exprs, comment: o["comment"] as? String)
        if rendered.hasXt { tables[t].hasXt = true }
        tables[t].table.chains[c].rules.append(rendered.rule)
    }
}

/// Renders a rule's `expr` array as nft would print it (`ip saddr 10.0.0.0/8 tcp dport 22 counter accept`),
/// taking counters and the jump/goto target out as data. Counters are shown as a bare `counter`, like
/// iptables-save rule texts carry no counters. Expressions it does not know come out as compact JSON.
enum NftRuleRenderer {
    /// Meta keys nft prints without the `meta` keyword.
    static let bareMetaKeys: Set<String> = ["iif", "iifname", "iifgroup", "oif", "oifname", "oifgroup"]
    /// Meta keys whose values are names nft prints in quotes.
    static let quotedMetaKeys: Set<String> = ["iif", "iifname", "oif", "oifname", "ibrname", "obrname", "ibriport",
                                              "obriport"]

    static func render(_ exprs: [Any], comment: String?) -> (rule: FirewallRule, hasXt: Bool) {
        var rule = FirewallRule(rule: "")
        var parts: [String] = []
        var hasXt = false
        var counted = false
        for case let e as [String: Any] in exprs {
            guard e.count == 1, let first = e.first else { parts.append(json(e)); continue }
            let key = first.key, body = first.value
            switch key {
            case "counter":
                if let c = body as? [String: Any], !counted {
                    rule.packets = uint(c["packets"]); rule.bytes = uint(c["bytes"]); counted = true
                }
                parts.append(body is String ? "counter name \(quote(body as! String))" : "counter")
            case "jump", "goto":
                let target = (body as? [String: Any])?["target"] as? String
                rule.target = target
                parts.append(target.map { "\(key) \($0)" } ?? json(e))
            case "xt":
                hasXt = true
                let o = body as? [String: Any]
                parts.append("xt \(o?["type"] as? String ?? "?") \(quote(o?["name"] as? String ?? "?"))")
            default:
                parts.append(statement(key, body) ?? json(e))
            }
        }
        if let comment { parts.append("comment \(quote(comment))") }
        rule.rule = parts.joined(separator: " ")
        return (rule, hasXt)
    }

    /// One statement; nil when its shape is not one this knows (the caller then shows it as JSON).
    static func statement(_ key: String, _ body: Any) -> String? {
        switch key {
        case "match":
            guard let m = body as? [String: Any], let left = m["left"], let right = m["right"] else { return nil }
            let l = expr(left)
            let op = m["op"] as? String ?? "=="
            if let b = right as? NSNumber, isBool(b) {
                return "\(l) \(b.boolValue != (op == "!=") ? "exists" : "missing")"
            }
            let r = expr(right, quoted: quotesValues(left))
            return op == "==" || op == "in" ? "\(l) \(r)" : "\(l) \(op) \(r)"
        case "accept", "drop", "continue", "return", "notrack", "masquerade", "reject", "log", "redirect":
            if body is NSNull { return key }
            guard let o = body as? [String: Any] else { return nil }
            switch key {
            case "reject": return reject(o)
            case "log": return log(o)
            case "masquerade", "redirect": return nat(key, o)
            default: return nil
            }
        case "snat", "dnat":
            return (body as? [String: Any]).flatMap { nat(key, $0) }
        case "limit":
            return (body as? [String: Any]).flatMap(limit)
        case "mangle":
            guard let o = body as? [String: Any], let k = o["key"], let v = o["value"] else { return nil }
            return "\(expr(k)) set \(expr(v))"
        default:
            return nil
        }
    }

    static func reject(_ o: [String: Any]) -> String {
        var s = "reject"
        if let type = o["type"] as? String {
            s += " with \(type)"
            if let x = o["expr"] { s += " \(expr(x))" }
        }
        return s
    }

    static func log(_ o: [String: Any]) -> String {
        var s = "log"
        if let prefix = o["prefix"] as? String { s += " prefix \(quote(prefix))" }
        if let level = o["level"] as? String { s += " level \(level)" }
        for k in ["group", "snaplen", "queue-threshold"] { if let v = o[k] { s += " \(k) \(expr(v))" } }
        if let flags = o["flags"] { s += " flags \(expr(flags))" }
        return s
    }

    /// `snat ip to 192.0.2.1:80`, `dnat to [fd00::2]:80`, `masquerade to :1024-2048 random`.
    static func nat(_ key: String, _ o: [String: Any]) -> String {
        var s = key
        if let fam = o["family"] as? String { s += " \(fam)" }
        let addr = o["addr"].map { expr($0) }
        let port = o["port"].map { expr($0) }
        if addr != nil || port != nil {
            var a = addr ?? ""
            if let port {
                if a.contains(":") { a = "[\(a)]" }
                a += ":\(port)"
            }
            s += " to \(a)"
        }
        if let flags = o["flags"] { s += " \(expr(flags))" }
        return s
    }

    /// `limit rate [over] 5/minute [burst 10 packets]`, or with byte units `limit rate 10 kbytes/second`.
    static func limit(_ o: [String: Any]) -> String? {
        guard let rate = o["rate"], let per = o["per"] as? String else { return nil }
        let inv = (o["inv"] as? NSNumber)?.boolValue ?? false
        var s = "limit rate \(inv ? "over " : "")\(expr(rate))"
        if let unit = o["rate_unit"] as? String, unit != "packets" { s += " \(unit)" }
        s += "/\(per)"
        let burst = uint(o["burst"])
        if let unit = o["burst_unit"] as? String, unit != "packets" {
            if burst > 0 { s += " burst \(burst) \(unit)" }
        } else if burst != 0 && burst != 5 {  // nft leaves out the default packet burst of 5
            s += " burst \(burst) packets"
        }
        return s
    }

    /// An expression: a match's left or right side, a nat address, a set element.
    static func expr(_ v: Any, quoted: Bool = false) -> String {
        switch v {
        case let s as String: return quoted && !s.hasPrefix("@") ? quote(s) : s
        case let n as NSNumber: return isBool(n) ? (n.boolValue ? "true" : "false") : n.stringValue
        case let a as [Any]: return a.map { expr($0, quoted: quoted) }.joined(separator: ",")  // flag lists
        case let o as [String: Any]:
            guard o.count == 1, let first = o.first else { return json(o) }
            return compound(first.key, first.value, quoted: quoted) ?? json(o)
        default: return json(v)
        }
    }

    static func compound(_ k: String, _ body: Any, quoted: Bool) -> String? {
        let o = body as? [String: Any]
        let a = body as? [Any]
        switch k {
        case "payload":
            guard let o else { return nil }
            if let proto = o["protocol"] as? String, let field = o["field"] as? String { return "\(proto) \(field)" }
            guard let base = o["base"], let off = o["offset"], let len = o["len"] else { return nil }
            return "@\(expr(base)),\(expr(off)),\(expr(len))"
        case "meta":
            guard let key = o?["key"] as? String else { return nil }
            return bareMetaKeys.contains(key) ? key : "meta \(key)"
        case "ct":
            guard let o, let key = o["key"] as? String else { return nil }
            return ["ct", o["dir"] as? String, o["family"] as? String, key].compactMap { $0 }.joined(separator: " ")
        case "rt":
            guard let o, let key = o["key"] as? String else { return nil }
            return ["rt", o["family"] as? String, key].compactMap { $0 }.joined(separator: " ")
        case "fib":
            guard let o, let result = o["result"] as? String else { return nil }
            let flags = (o["flags"] as? [Any])?.map { expr($0) }.joined(separator: " . ") ?? (o["flags"] as? String)
            return ["fib", flags, result].compactMap { $0 }.joined(separator: " ")
        case "prefix":
            guard let o, let addr = o["addr"], let len = o["len"] else { return nil }
            return "\(expr(addr))/\(expr(len))"
        case "range":
            guard let a, a.count == 2 else { return nil }
            return "\(expr(a[0], quoted: quoted))-\(expr(a[1], quoted: quoted))"
        case "set":
            let elems = a ?? [body]
            return "{ " + elems.map { expr($0, quoted: quoted) }.joined(separator: ", ") + " }"
        case "elem":
            guard let v = o?["val"] else { return nil }
            return expr(v, quoted: quoted)
        case "concat":
            return a.map { $0.map { expr($0, quoted: quoted) }.joined(separator: " . ") }
        case "map", "vmap":
            guard let o, let key = o["key"], let data = o["data"] else { return nil }
            return "\(expr(key)) \(k) \(expr(data, quoted: quoted))"
        case "&", "|", "^", "<<", ">>":
            guard let a, a.count == 2 else { return nil }
            return "\(expr(a[0])) \(k) \(expr(a[1]))"
        case "accept", "drop", "continue", "return":
            return k
        case "jump", "goto":
            return (o?["target"] as? String).map { "\(k) \($0)" }
        default:
            return nil
        }
    }

    /// Whether string values compared with this expression are names nft prints in quotes.
    static func quotesValues(_ left: Any) -> Bool {
        guard let o = left as? [String: Any] else { return false }
        if let key = (o["meta"] as? [String: Any])?["key"] as? String { return quotedMetaKeys.contains(key) }
        if let key = (o["ct"] as? [String: Any])?["key"] as? String { return key == "helper" }
        return false
    }

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    static func isBool(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    static func uint(_ v: Any?) -> UInt64 { (v as? NSNumber)?.uint64Value ?? 0 }

    /// Compact JSON of something this renderer does not know, so nothing is silently dropped.
    static func json(_ v: Any) -> String {
        guard let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys, .withoutEscapingSlashes,
                                                                                 .fragmentsAllowed]) else {
            return "\(v)"
        }
        return String(decoding: d, as: UTF8.self)
    }
}
