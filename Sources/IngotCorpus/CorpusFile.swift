import Foundation
public import IngotCore

/// One input file of a corpus, with the format its name declares.
public struct CorpusFile: Sendable, Hashable {
    public enum Format: String, Sendable, Hashable, Codable {
        /// One JSON object per line.
        case jsonl
        /// JSONL compressed with zstd (`.jsonl.zst`).
        case jsonlZstd = "jsonl.zst"
        /// JSONL compressed with gzip (`.jsonl.gz`).
        case jsonlGzip = "jsonl.gz"
        /// Plain UTF-8 text (`.txt`).
        case text = "txt"

        /// Whether a file of this format can be cut at line boundaries into several partitions.
        public var isSplittable: Bool { self == .jsonl }

        /// The format a file name declares, or nil when Ingot does not read it.
        public init?(fileName: String) {
            let name = fileName.lowercased()
            if name.hasSuffix(".jsonl") || name.hasSuffix(".ndjson") || name.hasSuffix(".json") {
                self = .jsonl
            } else if name.hasSuffix(".jsonl.zst") || name.hasSuffix(".ndjson.zst") || name.hasSuffix(".json.zst") {
                self = .jsonlZstd
            } else if name.hasSuffix(".jsonl.gz") || name.hasSuffix(".ndjson.gz") || name.hasSuffix(".json.gz") {
                self = .jsonlGzip
            } else if name.hasSuffix(".txt") {
                self = .text
            } else {
                return nil
            }
        }
    }

    public var path: String
    public var size: Int
    public var format: Format

    public init(path: String, size: Int, format: Format) {
        self.path = path
        self.size = size
        self.format = format
    }

    /// Expands files, directories (recursively) and glob patterns into a deterministic list of
    /// corpus files: sorted by the bytes of their paths, duplicates removed.
    ///
    /// Inside directories, files whose names Ingot does not read are ignored; a file named
    /// explicitly with an unknown extension is an error.
    public static func discover(_ inputs: [String]) throws(IngotError) -> [CorpusFile] {
        var paths: [(path: String, explicit: Bool)] = []
        let fm = FileManager.default
        for input in inputs {
            if input.contains(where: { "*?[".contains($0) }) {
                let matches = Glob.expand(input)
                guard !matches.isEmpty else {
                    throw IngotError(.configuration, "no input matches the pattern '\(input)'")
                }
                paths += matches.map { ($0, false) }
                continue
            }
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: input, isDirectory: &isDirectory) else {
                throw IngotError(.io, "input '\(input)' does not exist")
            }
            if isDirectory.boolValue {
                guard let walker = fm.enumerator(atPath: input) else {
                    throw IngotError(.io, "cannot list directory '\(input)'")
                }
                while let relative = walker.nextObject() as? String {
                    let full = (input as NSString).appendingPathComponent(relative)
                    if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
                    var isDir: ObjCBool = false
                    if fm.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                        paths.append((full, false))
                    }
                }
            } else {
                paths.append((input, true))
            }
        }
        var seen = Set<String>()
        var files: [CorpusFile] = []
        for (path, explicit) in paths where seen.insert(path).inserted {
            guard let format = Format(fileName: path) else {
                if explicit {
                    throw IngotError(
                        .configuration,
                        "unsupported input format '\(path)': expected .jsonl, .jsonl.zst, .jsonl.gz or .txt")
                }
                continue
            }
            let size: Int
            do {
                let attributes = try fm.attributesOfItem(atPath: path)
                size = (attributes[.size] as? NSNumber)?.intValue ?? 0
            } catch {
                throw IngotError(.io, "cannot stat '\(path)'", cause: error)
            }
            files.append(CorpusFile(path: path, size: size, format: format))
        }
        files.sort { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
        guard !files.isEmpty else {
            throw IngotError(.configuration, "no corpus files (.jsonl, .jsonl.zst, .jsonl.gz, .txt) in \(inputs)")
        }
        return files
    }
}
