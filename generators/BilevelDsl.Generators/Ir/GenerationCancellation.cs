using System;
using System.Threading;

namespace BilevelDsl.Generators.Ir
{
    /// <summary>
    /// The cancellation token of the model being generated on this thread. The compiler cancels a generator run
    /// on every keystroke, so every pass (front end, AD, simplification, emission) checks it per statement or
    /// per loop iteration over statements, and a large body stops within milliseconds of the cancel instead of
    /// running its passes to the end. Ambient rather than a parameter of every static pass method, like
    /// <see cref="GeneratedNames"/>: scoped to the work on one model, which runs on one thread. A check is a
    /// thread-static read and a flag test, negligible at statement granularity.
    /// </summary>
    internal static class GenerationCancellation
    {
        [ThreadStatic]
        private static CancellationToken token;

        /// <summary>Throws <see cref="OperationCanceledException"/> if the current model's work was cancelled.</summary>
        public static void ThrowIfRequested() => token.ThrowIfCancellationRequested();

        /// <summary>Makes <paramref name="cancellationToken"/> the current token until the scope is disposed.</summary>
        public static IDisposable For(CancellationToken cancellationToken)
        {
            CancellationToken previous = token;
            token = cancellationToken;
            return new Restore(previous);
        }

        private sealed class Restore : IDisposable
        {
            private readonly CancellationToken previous;

            public Restore(CancellationToken previous) => this.previous = previous;

            public void Dispose() => token = previous;
        }
    }
}
