using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>
    /// The differentiation step of the generator: from a model's lowered functions to every program the
    /// emitter prints. Per level the exact function and, when it (or a helper it calls) has a nonsmooth
    /// primitive, its mu-smoothed form; the derivative programs of levels, constraints and helpers (and of the
    /// smoothed helpers). The emitter only prints what this returns.
    /// </summary>
    internal static class ModelDerivation
    {
        /// <summary>Derives a model; with <paramref name="internalError"/> set (an earlier attempt failed), or a
        /// rejected model, no function is differentiated and every kernel will throw.</summary>
        public static DerivedModel Derive(ModelSpec spec, string? internalError, CancellationToken cancellationToken = default)
        {
            string? modelRejection = internalError ?? spec.Rejection;
            var helpers = modelRejection == null
                ? spec.Helpers.ToDictionary(h => h.Name, h => h, StringComparer.Ordinal)
                : new Dictionary<string, Function>(StringComparer.Ordinal);
            DerivedLevel[] levels =
            {
                DeriveLevel("Upper", spec.Upper, modelRejection, helpers),
                DeriveLevel("Lower", spec.Lower, modelRejection, helpers),
            };
            bool nonsmooth = levels.Any(l => l.Smoothed != null);
            var smoothedHelpers = new Dictionary<string, Function>(StringComparer.Ordinal);
            if (nonsmooth)
            {
                foreach (Function helper in helpers.Values)
                {
                    Function smoothed = Smoothing.Apply(helper, IrNames.TableFor(helper).Fresh("mu"));
                    smoothedHelpers[smoothed.Name] = smoothed;
                }
            }

            // In the order the emitter writes them.
            var programs = new List<DerivedFunction>();
            void Add(Function function, DerivedFunctionKind kind, IReadOnlyDictionary<string, Function> callees)
            {
                cancellationToken.ThrowIfCancellationRequested();
                programs.Add(new DerivedFunction(function, kind, DerivativePrograms.Build(function, callees)));
            }

            foreach (DerivedLevel level in levels)
            {
                if (level.Exact != null)
                {
                    Add(level.Exact, DerivedFunctionKind.Level, helpers);
                }

                if (level.Smoothed != null)
                {
                    Add(level.Smoothed, DerivedFunctionKind.SmoothedLevel, smoothedHelpers);
                }
            }

            if (spec.Rejection == null)
            {
                foreach (LevelSpec constraint in spec.Constraints)
                {
                    if (constraint.Body != null)
                    {
                        Add(constraint.Body, DerivedFunctionKind.Constraint, helpers);
                    }
                }
            }

            foreach (Function helper in helpers.Values.OrderBy(h => h.Name, StringComparer.Ordinal))
            {
                Add(helper, DerivedFunctionKind.Helper, helpers);
            }

            foreach (Function helper in smoothedHelpers.Values.OrderBy(h => h.Name, StringComparer.Ordinal))
            {
                Add(helper, DerivedFunctionKind.SmoothedHelper, smoothedHelpers);
            }

            return new DerivedModel(spec, levels, nonsmooth, programs);
        }

        private static DerivedLevel DeriveLevel(string role, LevelSpec? spec, string? modelRejection, Dictionary<string, Function> helpers)
        {
            Function? exact = modelRejection == null ? spec?.Body : null;
            if (exact == null)
            {
                string rejection = modelRejection ?? spec?.Rejection ?? "BDSL0002: the model has no valid " + role.ToLowerInvariant() + " level";
                return new DerivedLevel(role, spec, rejection, null, null, new List<NonsmoothTerm>());
            }

            List<NonsmoothTerm> terms = exact.Nonsmooth.Concat(CalledHelpers(exact, helpers).SelectMany(h => h.Nonsmooth)).Distinct().ToList();
            Function? smoothed = Smoothing.IsNonsmooth(exact, helpers) ? Smoothing.Apply(exact, IrNames.TableFor(exact).Fresh("mu")) : null;
            return new DerivedLevel(role, spec, string.Empty, exact, smoothed, terms);
        }

        private static IEnumerable<Function> CalledHelpers(Function function, Dictionary<string, Function> helpers)
        {
            var seen = new Dictionary<string, Function>(StringComparer.Ordinal);
            var pending = new Stack<Function>();
            pending.Push(function);
            while (pending.Count > 0)
            {
                IrWalker.VisitExpressions(pending.Pop().Body, e =>
                {
                    if (e is HelperCall call && !seen.ContainsKey(call.Helper) && helpers.TryGetValue(call.Helper, out Function? helper))
                    {
                        seen[call.Helper] = helper;
                        pending.Push(helper);
                    }
                });
            }

            return seen.Values;
        }
    }

    /// <summary>A model with everything differentiated: what the emitter prints.</summary>
    /// <param name="Levels">Upper, then Lower.</param>
    /// <param name="IsNonsmooth">Some level has a nonsmooth primitive, so the model has smoothed kernels.</param>
    /// <param name="Programs">Every function whose programs the model holds, in the order they are written.</param>
    internal sealed record DerivedModel(ModelSpec Spec, IReadOnlyList<DerivedLevel> Levels, bool IsNonsmooth, IReadOnlyList<DerivedFunction> Programs)
    {
        public VariableKinds Kinds => Spec.Kinds;
    }

    /// <summary>One level ("Upper" or "Lower"): its exact function and smoothed form, or why its kernels throw.</summary>
    /// <param name="Rejection">The message its kernels throw (empty when <paramref name="Exact"/> is set).</param>
    /// <param name="NonsmoothTerms">The nonsmooth primitives of the level and of the helpers it calls.</param>
    internal sealed record DerivedLevel(string Role, LevelSpec? Spec, string Rejection, Function? Exact, Function? Smoothed, IReadOnlyList<NonsmoothTerm> NonsmoothTerms)
    {
        public string MethodName => Spec?.MethodName ?? Role;
    }

    internal enum DerivedFunctionKind
    {
        Level,

        /// <summary>A level's mu-smoothed form (also needs its value program).</summary>
        SmoothedLevel,
        Constraint,
        Helper,

        /// <summary>A helper's mu-smoothed form (also needs its value program).</summary>
        SmoothedHelper,
    }

    /// <summary>A function and its derivative programs.</summary>
    internal sealed record DerivedFunction(Function Function, DerivedFunctionKind Kind, DerivativePrograms Programs)
    {
        public bool IsHelper => Kind is DerivedFunctionKind.Helper or DerivedFunctionKind.SmoothedHelper;
    }
}
