/// Why a template could not be compiled or rendered, named as Jinja2 and Python name it, so a
/// refusal reads as transformers' does: `TemplateError: Conversation roles must alternate ...`.
public struct JinjaError: Error, Sendable, Equatable, CustomStringConvertible {
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        let name: String
        /// The template does not parse (with the line in the message).
        public static let syntax = Kind(name: "TemplateSyntaxError")
        /// The template refused: `raise_exception(message)`.
        public static let template = Kind(name: "TemplateError")
        /// An undefined value was used where a value is needed.
        public static let undefined = Kind(name: "UndefinedError")
        /// An operation on values of the wrong types (Python's TypeError).
        public static let type = Kind(name: "TypeError")
        /// A value the operation cannot take (Python's ValueError).
        public static let value = Kind(name: "ValueError")
        /// A key or index that is not there where Python raises (rare in templates).
        public static let lookup = Kind(name: "KeyError")
        /// Division by zero.
        public static let zeroDivision = Kind(name: "ZeroDivisionError")
        /// A number or range too large (`range(10**9)`).
        public static let overflow = Kind(name: "OverflowError")
        /// A misuse only found while rendering (assigning an attribute of a non-namespace).
        public static let runtime = Kind(name: "TemplateRuntimeError")
        /// A filter or test that does not exist, found when the template is compiled.
        public static let assertion = Kind(name: "TemplateAssertionError")
        /// Something the sandbox forbids (mutating a list, an underscore attribute).
        public static let security = Kind(name: "SecurityError")
        /// A resource limit of the sandbox: loop iterations, recursion depth, output size.
        public static let limit = Kind(name: "LimitError")
        public var description: String { self.name }
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// `Kind: message`, as transformers reports a failed render.
    public var description: String { "\(self.kind): \(self.message)" }
}
