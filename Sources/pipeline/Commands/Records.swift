import ArgumentParser
import Foundation
import Ingot

extension PipelineCommand {
    /// Prints corpus records as a pipeline reads them: what Ingot makes of a Parquet file's rows
    /// (or any input), to check against another reader.
    struct Records: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "records",
            abstract: "Print the records of corpus files as pipelines read them, one JSON value per line.",
            discussion: """
                A JSON line is printed as it is; a Parquet row as an object of its columns (lists and \
                structs nested, nulls as null); a text document as a string. Files come in the order a \
                run reads them. A malformed record stops with file:line: reason.
                """)

        @Argument(help: "Corpus files, directories or glob patterns.")
        var inputs: [String]

        @Option(help: "Only the files of this split, named as the HuggingFace Hub names them.")
        var split: String?

        @Option(help: "Only these top-level fields, comma-separated (Parquet then reads only their columns).")
        var fields: String?

        @Option(help: "Stop after this many records.")
        var limit: Int?

        func run() throws {
            try exitingOnError {
                let files = try CorpusFile.discover(self.inputs, formats: .builtIn, split: self.split)
                let fields = self.fields.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
                let context = StageContext(partition: 0, errorPolicy: .stop, logger: .init(label: "records"))
                var out = BufferedOutput()
                var printed = 0
                files: for file in files {
                    var reader = try file.format.makeReader(for: file.wholePiece, options: ReadOptions(fields: fields))
                    while let chunk = try reader.next() {
                        var stop = false
                        try chunk.forEachRecord(context: context) { record, location in
                            guard !stop else { return }
                            do throws(SkipReason) {
                                let value = try record.value()
                                out.write(value.jsonText + "\n")
                            } catch {
                                try context.reject(error, at: location)
                            }
                            printed += 1
                            if let limit = self.limit, printed >= limit { stop = true }
                        }
                        if stop { break files }
                    }
                }
            }
        }
    }
}
