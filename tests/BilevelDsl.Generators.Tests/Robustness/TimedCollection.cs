using Xunit;

namespace BilevelDsl.GeneratorTests.Robustness;

/// <summary>
/// Tests that assert on wall-clock time (size limits, the delay after a cancel) run alone, after the parallel ones:
/// next to the mutation shards, which keep both cores busy, their clocks would measure the shards.
/// </summary>
[CollectionDefinition(nameof(TimedCollection), DisableParallelization = true)]
public sealed class TimedCollection;
