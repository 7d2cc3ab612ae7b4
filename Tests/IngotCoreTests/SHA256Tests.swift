import IngotCore
import Testing

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func knownVectors(_ input: String, _ digest: String) {
        #expect(SHA256.hex(Array(input.utf8)) == digest)
    }

    @Test func incrementalEqualsOneShot() {
        let bytes = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var hasher = SHA256()
        var i = 0
        for size in [1, 63, 64, 65, 127, 1000, 3000] where i < bytes.count {
            hasher.update(Array(bytes[i..<min(bytes.count, i + size)]))
            i += size
        }
        hasher.update(Array(bytes[min(i, bytes.count)...]))
        #expect(hasher.finalizeHex() == SHA256.hex(bytes))
    }

    /// A copy hashes on from where the original was, independently of it.
    @Test func copiesAreIndependent() {
        var original = SHA256()
        original.update(Array("abc".utf8))
        var copy = original
        copy.update(Array("def".utf8))
        #expect(original.finalizeHex() == SHA256.hex(Array("abc".utf8)))
        #expect(copy.finalizeHex() == SHA256.hex(Array("abcdef".utf8)))
    }

    /// FIPS 180-2's long vector (a million 'a'), in one call, in odd-sized pieces, and through a
    /// collection with no contiguous storage.
    @Test func millionAs() {
        let bytes = [UInt8](repeating: 0x61, count: 1_000_000)
        let digest = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        #expect(SHA256.hex(bytes) == digest)
        #expect(SHA256.hex(bytes.lazy.map { $0 }) == digest)
        var hasher = SHA256()
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + 4_093)
            hasher.update(Array(bytes[i..<end]))
            i = end
        }
        #expect(hasher.finalizeHex() == digest)
    }
}
