public import IngotJSON


extension JinjaValue {
    /// The value Python's `json.loads` gives for `json`, as a template sees it: objects become
    /// dicts in member order (a repeated key keeps its first place and its last value), integers
    /// stay integers and fractional numbers are floats.
    public init(json: JSONValue) {
        switch json {
        case .null: self = .none
        case .bool(let b): self = .bool(b)
        case .integer(let i): self = .int(i)
        case .number(let d): self = .float(d)
        case .string(let s): self = .string(s)
        case .array(let items): self = .list(items.map(JinjaValue.init(json:)))
        case .object(let members):
            var dict = JinjaDict()
            for (key, value) in members { dict[key] = JinjaValue(json: value) }
            self = .dict(dict)
        }
    }
}
