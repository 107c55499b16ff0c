/// Random tokens (session ids, decoy passwords): 128 bits from the system's generator, hex.
enum RandomToken {
    static func random() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<2).map { _ in
            let value: UInt64 = generator.next()
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }.joined()
    }
}
