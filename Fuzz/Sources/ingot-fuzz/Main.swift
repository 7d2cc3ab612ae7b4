// `ingot-fuzz TARGET [libFuzzer options] [corpus directories]`: runs one of FuzzTargets.all
// under libFuzzer. The library code is instrumented by building with `-sanitize=fuzzer`
// (scripts/fuzz.sh), and libFuzzer's driver is entered from the program's own main.
import IngotFuzzTargets

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The target chosen on the command line; set once, before libFuzzer starts calling.
nonisolated(unsafe) var selected: (@Sendable (UnsafeRawBufferPointer) -> Void)?

@_cdecl("ingot_fuzz_main")
func ingotFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    let names = FuzzTargets.all.keys.sorted().joined(separator: ", ")
    guard argc >= 2, let argv, let first = argv[1], let target = FuzzTargets.all[String(cString: first)] else {
        print("usage: ingot-fuzz TARGET [libFuzzer options] [corpus...]; targets: \(names)")
        return 2
    }
    selected = target
    // libFuzzer sees the program name and what follows the target.
    argv[1] = argv[0]
    var count = argc - 1
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv + 1
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in
        selected!(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
