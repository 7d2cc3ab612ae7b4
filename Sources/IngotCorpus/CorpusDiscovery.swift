public import IngotCore
import IngotSystem

extension CorpusFile {
    /// Expands files, directories (recursively) and glob patterns into a deterministic list of
    /// corpus files: sorted by the bytes of their paths, duplicates removed.
    ///
    /// Symbolic links are read through (the size is the target's: the HuggingFace cache is made
    /// of links). Inside directories, hidden entries, Ingot output directories (those with an
    /// `.ingot` workspace) and files no format reads are ignored, but a
    /// name that is not UTF-8 is an error (it could not be named in the index); a file named
    /// explicitly that no format reads is an error too.
    ///
    /// - Parameter split: keep only the files of this split, named as the HuggingFace Hub names
    ///   them (see ``isInSplit(_:_:)``).
    public static func discover(_ inputs: [String], formats: InputFormats = .builtIn, split: String? = nil) throws(IngotError) -> [CorpusFile] {
        var walker = DirectoryWalker(formats: formats)
        for input in inputs {
            if input.contains(where: { "*?[".contains($0) }) {
                let matches = FileSystem.glob(input)
                guard !matches.isEmpty else {
                    throw IngotError(.configuration, "no input matches the pattern '\(input)'")
                }
                for match in matches { try walker.add(match, explicit: false) }
            } else {
                try walker.add(input, explicit: true)
            }
        }
        var seen = Set<String>()
        var files: [CorpusFile] = []
        for (path, relative, status, explicit) in walker.found where seen.insert(path).inserted {
            if let split, !Self.isInSplit(relative, split) { continue }
            guard let format = formats.format(forFileName: path) else {
                if explicit {
                    throw IngotError(.configuration, "unsupported input format '\(path)': expected \(formats.summary)")
                }
                continue
            }
            files.append(
                CorpusFile(
                    path: path, size: status.size, modificationTime: status.modificationTime, identity: [status.device, status.inode],
                    format: format))
        }
        files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        guard !files.isEmpty else {
            if let split {
                throw IngotError(
                    .configuration,
                    "no corpus files of split '\(split)' in \(inputs): the Hub names them \(split)-00000-of-00004.parquet (or \(split).jsonl), or puts them in a directory \(split)/")
            }
            throw IngotError(.configuration, "no corpus files (\(formats.summary)) in \(inputs)")
        }
        return files
    }

    /// Whether a file belongs to split `split` by the HuggingFace Hub's naming: a directory of
    /// its path below the input is named `split` (`default/train/0000.parquet`, the Hub's
    /// Parquet conversion), or its name starts with `split` followed by `-`, `_`, `.` or a digit
    /// (`data/train-00000-of-00042.parquet`, `train.jsonl`). `relative` is the path below the
    /// input directory (the file name, for a file named directly).
    public static func isInSplit(_ relative: String, _ split: String) -> Bool {
        var components = relative.split(separator: "/").map(String.init)
        guard let name = components.popLast() else { return false }
        if components.contains(split) { return true }
        guard name.hasPrefix(split) else { return false }
        guard let next = name.dropFirst(split.count).first else { return false }
        return next == "-" || next == "_" || next == "." || next.isASCII && next.isNumber
    }
}

/// Collects regular files under the inputs, following links, visiting each directory once.
private struct DirectoryWalker {
    let formats: InputFormats
    /// Each file, its path below the input it was found in, its status, whether it was named.
    var found: [(path: String, relative: String, status: FileStatus, explicit: Bool)] = []
    private var visited = Set<[UInt64]>()

    init(formats: InputFormats) {
        self.formats = formats
    }

    mutating func add(_ path: String, explicit: Bool) throws(IngotError) {
        let status: FileStatus
        do {
            status = try FileSystem.status(of: path)
        } catch {
            throw IngotError(.io, error.isNotFound ? "input '\(path)' does not exist" : "\(error)")
        }
        switch status.kind {
        case .directory:
            try self.walk(path, status, relative: "")
        case .regular:
            self.found.append((path, String(path.split(separator: "/").last ?? Substring(path)), status, explicit))
        default:
            if explicit { throw IngotError(.configuration, "input '\(path)' is not a regular file or a directory") }
        }
    }

    private mutating func walk(_ directory: String, _ status: FileStatus, relative: String) throws(IngotError) {
        // A link back to an ancestor would loop forever: visit each directory once.
        guard self.visited.insert([status.device, status.inode]).inserted else { return }
        let entries: [FileSystem.DirectoryEntry]
        do {
            entries = try FileSystem.entries(of: directory)
        } catch {
            throw IngotError(.io, "\(error)")
        }
        for entry in entries {
            guard entry.nameBytes.first != 0x2E else { continue }  // hidden
            guard let name = entry.name else {
                let shown = String(decoding: entry.nameBytes, as: UTF8.self)
                throw IngotError(
                    .invalidInput,
                    "'\(directory)' holds a file whose name is not UTF-8 ('\(shown)', U+FFFD marks the bad bytes); rename it or name the inputs explicitly")
            }
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            let status: FileStatus
            do {
                status = try FileSystem.status(of: path)
            } catch where error.isNotFound {
                // A dangling link, or a file removed since the listing: data the user expects
                // if a format reads its name.
                if self.formats.format(forFileName: name) == nil { continue }
                throw IngotError(.io, "input '\(path)' cannot be read: it is a broken link or vanished while listing")
            } catch {
                throw IngotError(.io, "\(error)")
            }
            let below = relative.isEmpty ? name : relative + "/" + name
            switch status.kind {
            // An Ingot output directory (it has a workspace) is never corpus: its index.json
            // would otherwise be read as JSON Lines when the output sits inside the input.
            case .directory where FileSystem.exists(path + "/.ingot"): continue
            case .directory: try self.walk(path, status, relative: below)
            case .regular: self.found.append((path, below, status, false))
            default: continue
            }
        }
    }
}
