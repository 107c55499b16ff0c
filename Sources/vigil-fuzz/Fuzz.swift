import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import VigilConfig
import VigilEvents

/// libFuzzer entry points for what Vigil reads from outside: the YAML configuration,
/// queue records as stored in segments, and events as producers append them. Built by
/// bench/fuzz.sh with `-sanitize=fuzzer,address -DFUZZING`; the target is chosen by
/// VIGIL_FUZZ_TARGET (yaml, record or event). A crash, a hang or a sanitizer report is a
/// finding; every error thrown is an expected answer to bad input.
enum FuzzTarget: String {
    case yaml, record, event

    static let chosen: FuzzTarget = {
        let name = getenv("VIGIL_FUZZ_TARGET").map { String(cString: $0) } ?? "yaml"
        guard let target = FuzzTarget(rawValue: name) else { fatalError("VIGIL_FUZZ_TARGET must be yaml, record or event, not \(name)") }
        return target
    }()

    static let strictDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.userInfo[Event.rejectUnknownFields] = true
        return decoder
    }()

    func run(_ bytes: UnsafeRawBufferPointer) {
        switch self {
        case .yaml:
            // As a file would be read: UTF-8 (a BOM allowed), then parsed and validated.
            guard let text = String(validating: bytes, as: UTF8.self) else { return }
            _ = try? ConfigLoader.parse(yaml: text, file: "fuzz.yaml")
        case .record:
            // One stored line: checksum, offset, then the event inside.
            if (try? QueueRecord.verify(bytes)) != nil {
                if let event = try? QueueRecord.decode(Array(bytes)) {
                    // What decodes must encode again and verify.
                    if let line = try? QueueRecord.encode(event, offset: event.offset ?? 0) {
                        precondition((try? QueueRecord.verify(Array(line.dropLast()))) != nil, "a re-encoded record does not verify")
                    }
                }
            }
        case .event:
            // One line of `vigil queue append`: strict decoding, then the schema's rules.
            if let event = try? Self.strictDecoder.decode(Event.self, from: Data(bytes)) {
                _ = try? event.validate()
            }
        }
    }
}

#if FUZZING
/// libFuzzer's driver (from the fuzzer runtime that `-sanitize=fuzzer` links).
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<Int32>,
                         _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Int32

/// SwiftPM links an executable's entry point under this name (`main` is defined to it),
/// so the fuzzer's own `main` is not used: start its driver from here.
@_cdecl("vigil_fuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
        FuzzTarget.chosen.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
#else
@main
struct FuzzUsage {
    static func main() {
        FileOutput.standardError("vigil-fuzz is built for fuzzing only: run bench/fuzz.sh")
        exit(2)
    }
}
#endif
