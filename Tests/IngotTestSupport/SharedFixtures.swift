public import Testing

extension Trait where Self == ConditionTrait {
    /// For tests that read `../shared` (real tokenizers, oracles, sample corpora, chat templates):
    /// skipped with this reason in a clone that has no `../shared`; run, and failing without it,
    /// when `INGOT_REQUIRE_SHARED=1` (CI).
    public static var requiresSharedFixtures: Self {
        .enabled(
            if: TestPaths.sharedAvailable || TestPaths.sharedRequired,
            "needs the shared fixtures in ../shared (or $INGOT_SHARED), which this clone does not have")
    }
}
