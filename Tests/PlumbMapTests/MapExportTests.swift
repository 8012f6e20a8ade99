import Foundation
import XCTest
import PlumbModel
@testable import PlumbMap

#if canImport(FoundationXML)
import FoundationXML
#endif

/// Every export format is checked by a parser of that format: Graphviz's own `dot` (Debian's graphviz, a
/// test-only package), Foundation's XMLParser for the SVG (whose nodes and edges must be the JSON's), and a
/// small parser of Mermaid's flowchart grammar.
final class MapExportTests: XCTestCase {
    func maps() throws -> [(String, HostMap)] {
        [("lab-host", HostMapBuilder.build(try MapFixtures.recorded("lab-host"))),
         ("demo-lab", HostMapBuilder.build(try MapFixtures.recorded("demo-lab"))),
         ("docker-host", HostMapBuilder.build(try MapFixtures.recorded("docker-host"))),
         ("podman-host", HostMapBuilder.build(try MapFixtures.recorded("podman-host"))),
         ("generated", HostMapBuilder.build(MapFixtures.generated(containers: 30, bridges: 3)))]
    }

    func testGraphvizParsesTheDOTOutput() throws {
        let dot = "/usr/bin/dot"
        guard FileManager.default.isExecutableFile(atPath: dot) else {
            return XCTFail("graphviz is not installed (apt install graphviz): the DOT output cannot be checked")
        }
        for (name, map) in try maps() {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: dot)
            p.arguments = ["-Tplain"]
            let input = Pipe(), output = Pipe(), errors = Pipe()
            p.standardInput = input; p.standardOutput = output; p.standardError = errors
            try p.run()
            input.fileHandleForWriting.write(Data(MapDOT.render(map).utf8))
            try input.fileHandleForWriting.close()
            let out = output.fileHandleForReading.readDataToEndOfFile()
            let err = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, "\(name): dot refused the DOT output: \(err)")
            XCTAssertTrue(err.isEmpty, "\(name): dot warned: \(err)")
            // -Tplain lists each node once: `node NAME x y ...`.
            let nodes = String(decoding: out, as: UTF8.self).split(separator: "\n").filter { $0.hasPrefix("node ") }
            XCTAssertEqual(nodes.count, map.nodes.count + (map.aside.isEmpty ? 0 : 1), name)
            // Graphviz read every label back as written: UTF-8 intact (`→`, `⇄`, `·`), nothing turned into `?`.
            let plain = String(decoding: out, as: UTF8.self)
            for n in map.nodes {
                let lines = MapLabels.lines(n)
                guard !lines.contains(where: { $0.contains("\"") || $0.contains("\\") }) else { continue }
                let label = lines.joined(separator: "\\n")   // how -Tplain writes a line break
                XCTAssertTrue(plain.contains("\"\(label)\""), "\(name): dot read node \(n.id) as something else than \(label)")
            }
            for e in map.edges {
                XCTAssertTrue(plain.contains(MapLabels.edge(e)), "\(name): dot read edge \(e.id) as something else than \(MapLabels.edge(e))")
            }
        }
    }

    func testTheSVGIsWellFormedAndItsNodesAndEdgesAreTheJSONs() throws {
        for (name, map) in try maps() {
            var o = MapLayoutOptions(width: 160)
            o.expandAll = true
            let svg = MapSVG.render(map, picture: MapLayout.layout(map, options: o))
            let collector = SVGCollector()
            let parser = XMLParser(data: Data(svg.utf8))
            parser.delegate = collector
            XCTAssertTrue(parser.parse(), "\(name): \(parser.parserError.map { "\($0)" } ?? "?")")
            XCTAssertEqual(collector.root, "svg")
            // The JSON a user gets, decoded back: its ids are exactly the SVG's.
            let json = try JSONDecoder().decode(HostMap.self, from: JSONEncoder().encode(map))
            XCTAssertEqual(collector.nodes, Set(json.nodes.map(\.id)), name)
            XCTAssertEqual(collector.edges, Set(json.edges.map(\.id)), name)
        }
    }

    func testTheMermaidOutputFollowsTheFlowchartGrammar() throws {
        for (name, map) in try maps() {
            let text = MapMermaid.render(map)
            var parser = MermaidFlowchartParser()
            XCTAssertNoThrow(try parser.parse(text), "\(name):\n\(text)")
            XCTAssertEqual(parser.nodes.count, map.nodes.count + (map.aside.isEmpty ? 0 : 1), name)
            XCTAssertEqual(parser.edges, map.edges.count, name)
        }
    }

    func testTheJSONCarriesTheSnapshotsIds() throws {
        let snap = try MapFixtures.recorded("lab-host")
        let data = try JSONEncoder().encode(HostMapBuilder.build(snap))
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(Array(obj.keys).sorted(), ["aside", "edges", "nodes", "schemaVersion", "takenAt"])
        let nodes = try XCTUnwrap(obj["nodes"] as? [[String: Any]])
        let ids = Set(snap.namespaces.map(\.id))
        for n in nodes where n["kind"] as? String == "namespace" {
            XCTAssertTrue(ids.contains(UInt64(n["namespace"] as! Int)), "\(n)")
        }
    }

    func testQuotingKeepsHostileNamesInsideTheirStrings() {
        XCTAssertEqual(MapDOT.quote("a\"b\\c\nd"), "\"a\\\"b\\\\c\\nd\"")
        XCTAssertEqual(MapMermaid.quote("x\"<y>#"), "\"x#quot;#lt;y#gt;#35;\"")
        XCTAssertEqual(MapSVG.escape("<a href=\"x\">&"), "&lt;a href=&quot;x&quot;&gt;&amp;")
    }
}

/// Collects the `data-node` of `<g class="node …">` and the `data-edge` of `<line class="edge …">`.
final class SVGCollector: NSObject, XMLParserDelegate {
    var root: String?
    var nodes: Set<String> = []
    var edges: Set<String> = []

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if root == nil { root = name }
        if name == "g", let id = attributes["data-node"] { nodes.insert(id) }
        if name == "line", let id = attributes["data-edge"] { edges.insert(id) }
    }
}

/// A parser of the part of Mermaid's flowchart grammar the map uses: a `flowchart DIR` header; node statements
/// `ID SHAPE` with a quoted label in `[…]`, `[[…]]`, `(…)`, `((…))`, `{{…}}` or `[/…/]`; link statements
/// `ID ---|"…"| ID` and `ID -.-|"…"| ID`; `linkStyle N …`; `%%` comments. Labels may not hold a raw `"`.
struct MermaidFlowchartParser {
    struct Failure: Error, CustomStringConvertible { var description: String }
    var nodes: Set<String> = []
    var edges = 0

    mutating func parse(_ text: String) throws {
        var lines = text.split(separator: "\n").map(String.init)
        guard let header = lines.first, ["flowchart TB", "flowchart TD", "flowchart LR"].contains(header) else {
            throw Failure(description: "no flowchart header")
        }
        lines.removeFirst()
        for raw in lines {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if let c = line.range(of: " %% ") { line = String(line[..<c.lowerBound]) }
            if line.isEmpty || line.hasPrefix("%%") { continue }
            if line.hasPrefix("linkStyle ") {
                let parts = line.split(separator: " ")
                guard parts.count >= 3, let n = Int(parts[1]), n < edges else { throw Failure(description: "bad linkStyle: \(raw)") }
                continue
            }
            var s = Substring(line)
            let a = try Self.identifier(&s)
            if s.hasPrefix(" ---|") || s.hasPrefix(" -.-|") {
                s = s.dropFirst(5)
                _ = try Self.quoted(&s)
                guard s.hasPrefix("| ") else { throw Failure(description: "unclosed link label: \(raw)") }
                s = s.dropFirst(2)
                let z = try Self.identifier(&s)
                guard s.isEmpty, nodes.contains(a), nodes.contains(z) else { throw Failure(description: "bad link: \(raw)") }
                edges += 1
                continue
            }
            let shapes: [(String, String)] = [("[[", "]]"), ("((", "))"), ("{{", "}}"), ("[/", "/]"), ("[", "]"), ("(", ")")]
            guard let (open, close) = shapes.first(where: { s.hasPrefix($0.0) }) else { throw Failure(description: "bad statement: \(raw)") }
            s = s.dropFirst(open.count)
            _ = try Self.quoted(&s)
            guard s == close[...] else { throw Failure(description: "bad shape end: \(raw)") }
            guard nodes.insert(a).inserted else { throw Failure(description: "node declared twice: \(raw)") }
        }
    }

    static func identifier(_ s: inout Substring) throws -> String {
        let id = s.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        guard let f = id.first, f.isLetter else { throw Failure(description: "bad identifier at \(s)") }
        s = s.dropFirst(id.count)
        return String(id)
    }

    static func quoted(_ s: inout Substring) throws -> String {
        guard s.first == "\"" else { throw Failure(description: "label not quoted at \(s)") }
        s = s.dropFirst()
        guard let end = s.firstIndex(of: "\"") else { throw Failure(description: "unterminated label") }
        let label = s[..<end]
        s = s[s.index(after: end)...]
        return String(label)
    }
}
