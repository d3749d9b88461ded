using System.Collections.Generic;
using BilevelDsl.Generators.Ir;
using Microsoft.CodeAnalysis;

namespace BilevelDsl.Generators.Frontend
{
    /// <summary>The lowering state of one user variable (<see cref="Binding"/>) and of one enclosing loop (<see cref="LoopFrame"/>).</summary>
    internal sealed partial class BodyLowerer
    {
        /// <summary>What a user variable currently means: an IR variable, a vector (span locals, computed
        /// vectors) or a matrix view. Immutable: a change of state replaces the binding.</summary>
        private sealed class Binding
        {
            public Binding(string? name, ScalarType type, int depth)
            {
                Name = name;
                Type = type;
                Depth = depth;
            }

            public string? Name { get; }

            public ScalarType Type { get; }

            public VecRef? Alias { get; private set; }

            /// <summary>The length of a computed vector or slice alias (null: ask the span for it).</summary>
            public Expr? Length { get; private set; }

            /// <summary>A Dsl.Reshape view of a variable.</summary>
            public MatRef? Matrix { get; private set; }

            /// <summary>A stackalloc'ed vector the body fills: Alias names its current version.</summary>
            public bool IsComputed { get; private set; }

            /// <summary>Computed vectors: every entry is still zero (nothing written since the version began).</summary>
            public bool IsPristine { get; private set; }

            /// <summary>Computed vectors: the version has been read, so it may not be written any more.</summary>
            public bool IsFrozen { get; private set; }

            /// <summary>How many loops enclose the declaration (for computed vectors: the current version).</summary>
            public int Depth { get; }

            /// <summary>A local whose declaration was rejected: reads and writes fail quietly (one error is enough).</summary>
            public bool IsPoisoned { get; private set; }

            /// <summary>Why a computed vector cannot be read here (overwritten in a loop or one branch), or null.</summary>
            public string? Stale { get; private set; }

            public static Binding ForAlias(VecRef alias, int depth, Expr? length = null) => new Binding(null, ScalarType.Double, depth) { Alias = alias, Length = length };

            public static Binding ForMatrix(MatRef matrix, int depth) => new Binding(null, ScalarType.Double, depth) { Matrix = matrix };

            public static Binding ForComputed(string version, Expr length, int depth) =>
                new Binding(null, ScalarType.Double, depth) { Alias = new VecRef(version), Length = length, IsComputed = true, IsPristine = true };

            public static Binding Poisoned(int depth) => new Binding(null, ScalarType.Double, depth) { IsPoisoned = true };

            /// <summary>A rejected computed vector: its writes and reads fail quietly too.</summary>
            public static Binding PoisonedVector(int depth) => new Binding(null, ScalarType.Double, depth) { IsPoisoned = true, IsComputed = true };

            public Binding Written() => Copy(IsFrozen, pristine: false, Stale);

            public Binding Read() => Copy(frozen: true, IsPristine, Stale);

            public Binding MadeStale(string why) => Copy(IsFrozen, IsPristine, why);

            /// <summary>The merge of two paths' states of the same version.</summary>
            public Binding Merged(Binding other) => Copy(IsFrozen || other.IsFrozen, IsPristine && other.IsPristine, Stale ?? other.Stale);

            private Binding Copy(bool frozen, bool pristine, string? stale) =>
                new Binding(Name, Type, Depth) { Alias = Alias, Length = Length, Matrix = Matrix, IsComputed = IsComputed, IsPristine = pristine, IsFrozen = frozen, IsPoisoned = IsPoisoned, Stale = stale };
        }

        private sealed class LoopFrame
        {
            /// <summary>Variables declared outside this loop that it accumulates into (they may not be read in it).</summary>
            public HashSet<ISymbol> Accumulated { get; } = new HashSet<ISymbol>(SymbolEqualityComparer.Default);

            /// <summary>The loop's index variable (element writes 'v[index] = e' fill a vector once per iteration).</summary>
            public ISymbol? Index { get; set; }

            /// <summary>For accumulators this loop owns: the IR variable the loop adds into.</summary>
            public Dictionary<ISymbol, string> Accumulators { get; } = new Dictionary<ISymbol, string>(SymbolEqualityComparer.Default);
        }
    }
}
