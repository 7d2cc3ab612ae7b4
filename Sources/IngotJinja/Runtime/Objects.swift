/// `namespace(...)`: the one mutable object templates have, so a value can outlive a loop.
final class Namespace: JinjaObject {
    var attributes = JinjaDict()
    // transformers' subclass, whose name shows in messages.
    var typeName: String { "TemplateNamespace" }
    var typeDescription: String { "transformers.utils.chat_template_utils.TemplateNamespace object" }
    func attribute(_ name: String) -> JinjaValue? { self.attributes[name] }
}

/// A Python iterator, as the filters that return generators give it (`map`, `select`,
/// `selectattr`, `unique`, `batch`, `items`, ...) and `reverse` a list_reverseiterator: it can
/// be iterated once, has no length, cannot be reversed, and is always true, so
/// `{% if messages | selectattr('role', 'eq', 'system') %}` holds even when nothing matches,
/// as in Jinja2.
final class JinjaIterator: JinjaObject {
    let typeName: String
    private var remaining: ArraySlice<JinjaValue>

    init(_ items: [JinjaValue], typeName: String = "generator") {
        self.remaining = items[...]
        self.typeName = typeName
    }

    /// The next item, consumed.
    func next() -> JinjaValue? { self.remaining.popFirst() }

    /// Every item left, consumed.
    func drain() -> [JinjaValue] {
        defer { self.remaining = [] }
        return Array(self.remaining)
    }
}

/// An item of `groupby`'s result: a `(grouper, list)` tuple whose parts also read as
/// attributes.
final class GroupTuple: JinjaObject {
    let grouper: JinjaValue
    let list: JinjaValue

    init(grouper: JinjaValue, list: [JinjaValue]) {
        self.grouper = grouper
        self.list = .list(list)
    }

    var typeName: String { "_GroupTuple" }
    var typeDescription: String { "jinja2.filters._GroupTuple object" }
    var tupleElements: [JinjaValue]? { [self.grouper, self.list] }

    func attribute(_ name: String) -> JinjaValue? {
        switch name {
        case "grouper": self.grouper
        case "list": self.list
        default: nil
        }
    }
}
