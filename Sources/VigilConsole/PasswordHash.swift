import Crypto
import _CryptoExtras
import Foundation

/// Salted, slow password hashes for the console's users file:
/// `pbkdf2-sha256$ROUNDS$SALT$HASH` (salt and hash base64), so a copied users file does
/// not give away passwords, and a guess costs ~0.1 s of CPU.
public enum PasswordHash {
    public static let defaultRounds = 210_000

    public static func make(_ password: String, rounds: Int = defaultRounds) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = generator.next() }
        let key = try derive(password, salt: salt, rounds: rounds)
        return "pbkdf2-sha256$\(rounds)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Whether `password` matches `encoded`; false for a malformed hash (never throws on bad input).
    public static func verify(_ password: String, against encoded: String) -> Bool {
        guard let parsed = parse(encoded), let key = try? derive(password, salt: parsed.salt, rounds: parsed.rounds) else { return false }
        // Constant time, so the comparison does not tell how many bytes matched.
        guard key.count == parsed.hash.count else { return false }
        return zip(key, parsed.hash).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// Whether the text has the stored-hash shape (for checking a users file when it is read).
    public static func isWellFormed(_ encoded: String) -> Bool { parse(encoded) != nil }

    static func parse(_ encoded: String) -> (rounds: Int, salt: [UInt8], hash: [UInt8])? {
        let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), (1_000...10_000_000).contains(rounds),
              let salt = Data(base64Encoded: String(parts[2])), salt.count >= 8,
              let hash = Data(base64Encoded: String(parts[3])), hash.count == 32 else { return nil }
        return (rounds, Array(salt), Array(hash))
    }

    static func derive(_ password: String, salt: [UInt8], rounds: Int) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256,
                                                    outputByteCount: 32, unsafeUncheckedRounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }
}
