/// The schema tree rebuilt from the footer's flattened list, with each node's definition and
/// repetition levels: what the record assembly walks to turn a row's column entries back into
/// nested values.
struct SchemaNode {
    var element: SchemaElement
    var children: [SchemaNode]
    /// Optional and repeated nodes from the root down to this one, included.
    var definitionLevel: Int
    /// Repeated nodes from the root down to this one, included.
    var repetitionLevel: Int
    /// The leaves under this node: `leafStart..<leafEnd` in depth-first (column) order.
    var leafStart: Int
    var leafEnd: Int

    var name: String { self.element.name }
    var isLeaf: Bool { self.children.isEmpty && self.element.type != nil }
    var isRepeated: Bool { self.element.repetition == .repeated }

    /// Builds the tree from the depth-first list; the root is the first element.
    static func tree(_ elements: [SchemaElement]) throws(ParquetError) -> SchemaNode {
        var position = 0
        var leaves = 0
        let root = try self.build(elements, &position, &leaves, definition: 0, repetition: 0, depth: 0, isRoot: true)
        guard position == elements.count else { throw ParquetError("the schema has \(elements.count - position) elements outside its root") }
        return root
    }

    private static func build(
        _ elements: [SchemaElement], _ position: inout Int, _ leaves: inout Int, definition: Int, repetition: Int, depth: Int, isRoot: Bool
    ) throws(ParquetError) -> SchemaNode {
        guard position < elements.count else { throw ParquetError("the schema ends inside a group") }
        guard depth <= 64 else { throw ParquetError("the schema is nested too deeply") }
        let element = elements[position]
        position += 1
        let definition = isRoot || element.repetition == .required ? definition : definition + 1
        let repetition = !isRoot && element.repetition == .repeated ? repetition + 1 : repetition
        guard definition <= 255, repetition <= 255 else { throw ParquetError("the schema is nested too deeply") }
        var node = SchemaNode(
            element: element, children: [], definitionLevel: definition, repetitionLevel: repetition, leafStart: leaves, leafEnd: leaves)
        if element.numChildren == 0 {
            guard element.type != nil || isRoot else { throw ParquetError("schema group '\(element.name)' has no children") }
            if !isRoot { leaves += 1 }
        } else {
            guard element.numChildren <= elements.count - position else { throw ParquetError("schema group '\(element.name)' has more children than the schema") }
            for _ in 0..<element.numChildren {
                node.children.append(
                    try self.build(elements, &position, &leaves, definition: definition, repetition: repetition, depth: depth + 1, isRoot: false))
            }
        }
        node.leafEnd = leaves
        return node
    }

    /// The leaves under this node, depth first, with their paths from the root's children.
    func leaves(path: [String] = []) -> [(path: [String], node: SchemaNode)] {
        if self.isLeaf { return [(path, self)] }
        return self.children.flatMap { $0.leaves(path: path + [$0.name]) }
    }
}
