/// A YAML value as the console's editor exchanges it in JSON: numbers, text, true/false,
/// lists and mappings. Mappings keep their keys' order so the YAML written reads naturally.
public indirect enum LayoutValue: Sendable, Equatable, Codable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case list([LayoutValue])
    case map([Entry])

    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: LayoutValue
        public init(_ key: String, _ value: LayoutValue) { self.key = key; self.value = value }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Keys that read best first, in this order; the rest follow alphabetically.
    static let leadingKeys = ["id", "polygon", "from", "to", "names", "near", "far", "y", "person_height", "image", "metres"]

    public init(from decoder: Decoder) throws {
        if let container = try? decoder.container(keyedBy: Key.self) {
            let keys = container.allKeys.map(\.stringValue).sorted { a, b in
                let ia = Self.leadingKeys.firstIndex(of: a) ?? Int.max, ib = Self.leadingKeys.firstIndex(of: b) ?? Int.max
                return ia != ib ? ia < ib : a < b
            }
            self = .map(try keys.map { Entry($0, try container.decode(LayoutValue.self, forKey: Key(stringValue: $0))) })
            return
        }
        if var container = try? decoder.unkeyedContainer() {
            var items: [LayoutValue] = []
            while !container.isAtEnd { items.append(try container.decode(LayoutValue.self)) }
            self = .list(items)
            return
        }
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else { self = .string(try container.decode(String.self)) }
    }

    public func encode(to encoder: Encoder) throws {
        switch self {
        case let .number(value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case let .string(value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case let .bool(value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case let .list(items):
            var container = encoder.unkeyedContainer()
            for item in items { try container.encode(item) }
        case let .map(entries):
            var container = encoder.container(keyedBy: Key.self)
            for entry in entries { try container.encode(entry.value, forKey: Key(stringValue: entry.key)) }
        }
    }
}
