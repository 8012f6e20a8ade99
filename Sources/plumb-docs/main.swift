// Writes the documents generated from the code (docs/man/*.1, docs/keybindings.md) under the directory given
// as the only argument (the repository root; `make docs` passes it). Man pages of commands that no longer
// exist are removed.
import Foundation
import PlumbDocs

let root = CommandLine.arguments.dropFirst().first ?? FileManager.default.currentDirectoryPath
do {
    let files = try GeneratedDocs.files()
    let manual = "\(root)/\(GeneratedDocs.manualDirectory)"
    try FileManager.default.createDirectory(atPath: manual, withIntermediateDirectories: true)
    let wanted = Set(files.map { "\(root)/\($0.path)" })
    for name in try FileManager.default.contentsOfDirectory(atPath: manual) where name.hasSuffix(".1") {
        if !wanted.contains("\(manual)/\(name)") { try FileManager.default.removeItem(atPath: "\(manual)/\(name)") }
    }
    for file in files { try Data(file.text.utf8).write(to: URL(fileURLWithPath: "\(root)/\(file.path)")) }
    print("plumb-docs: wrote \(files.count) files under \(root)")
} catch {
    FileHandle.standardError.write(Data("plumb-docs: \(error)\n".utf8))
    exit(1)
}
