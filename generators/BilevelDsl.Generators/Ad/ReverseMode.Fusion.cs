using System;
using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;
using static BilevelDsl.Generators.Ir.Simplify;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>
    /// Loop fusion: the reverse sweep of a loop at the top of the function runs inside its forward sweep,
    /// iteration by iteration, so each iteration's data (a row of a design matrix) is used forward and backward
    /// while it is in cache, and nothing is stored or recomputed. It is exact because the loop's only effect
    /// outside itself is one += accumulator, whose adjoint is the same in every iteration and not known until
    /// after the loop: each iteration is reversed with that adjoint seeded to 1, into temporaries for the
    /// adjoints of the inputs it reads (the reverse sweep of an iteration is linear in the seed), and after the
    /// loop the temporaries are scaled by the accumulator's true adjoint and added in.
    /// </summary>
    internal sealed partial class ReverseMode
    {
        private readonly Dictionary<string, FusedLoop> fusedLoops = new Dictionary<string, FusedLoop>(StringComparer.Ordinal);

        private sealed class FusedLoop
        {
            public FusedLoop(string accumulator) => Accumulator = accumulator;

            public string Accumulator { get; }

            public string Seed { get; set; } = string.Empty;

            /// <summary>Outer active scalars the loop reads, with the temporary that collects their adjoint.</summary>
            public List<(string Outer, string Temporary)> Scalars { get; } = new List<(string, string)>();

            /// <summary>Span inputs the loop reads, with the temporary vector that collects their adjoint.</summary>
            public List<(string Input, string Temporary)> Vectors { get; } = new List<(string, string)>();
        }

        /// <summary>Top-level loops whose only outer effect is one active += accumulator, and whose outer
        /// active vectors are all inputs: those are fused.</summary>
        private void ChooseFusedLoops(Block body)
        {
            foreach (For loop in body.Statements.OfType<For>())
            {
                HashSet<string> inside = DefinedAnywhere(loop.Body);
                inside.Add(loop.Index);
                var accumulators = new HashSet<string>(StringComparer.Ordinal);
                bool outerVectorWrite = false;
                IrWalker.VisitStatements(loop.Body, statement =>
                {
                    switch (statement)
                    {
                        case AddTo add when !inside.Contains(add.Target):
                            accumulators.Add(add.Target);
                            break;
                        case For nested:
                            inside.Add(nested.Index);
                            break;
                        default:
                            if (IrWalker.VectorWritten(statement) is string target && !inside.Contains(target))
                            {
                                outerVectorWrite = true;
                            }

                            break;
                    }
                });
                if (accumulators.Count != 1 || outerVectorWrite || !activity.IsActiveVariable(accumulators.First()))
                {
                    continue;
                }

                var statements = loop.Body.Statements.ToList();
                List<string> outerVectors = IrWalker.VectorsRead(statements).Where(v => !inside.Contains(v) && activity.IsActiveVectorName(v)).Distinct().ToList();
                if (outerVectors.Any(v => !vectorOutputs.ContainsKey(v)))
                {
                    continue; // an outer computed vector: its adjoint would need a temporary of its own
                }

                var fused = new FusedLoop(accumulators.First());
                foreach (string scalar in IrWalker.Reads(statements).Where(v => !inside.Contains(v) && activity.IsActiveVariable(v)).OrderBy(v => v, StringComparer.Ordinal))
                {
                    fused.Scalars.Add((scalar, names.Fresh(scalar + "_bar_loop")));
                }

                foreach (string vector in outerVectors.OrderBy(v => v, StringComparer.Ordinal))
                {
                    fused.Vectors.Add((vector, names.Fresh(vector + "_bar_loop")));
                }

                fused.Seed = names.Fresh(fused.Accumulator + "_bar_seed");
                fusedLoops[loop.Index] = fused;
            }
        }

        /// <summary>The loop, each iteration forward then backward with the accumulator's adjoint seeded to 1.</summary>
        private void EmitFusedLoop(For loop, FusedLoop fused, List<Stmt> output)
        {
            output.Add(new Assign(fused.Seed, ScalarType.Double, One, Declare: true));
            var savedScalars = new Dictionary<string, string?>(StringComparer.Ordinal);
            var savedVectors = new Dictionary<string, string>(StringComparer.Ordinal);
            savedScalars[fused.Accumulator] = adjoints.TryGetValue(fused.Accumulator, out string? previous) ? previous : null;
            adjoints[fused.Accumulator] = fused.Seed;
            foreach ((string outer, string temporary) in fused.Scalars)
            {
                output.Add(new Declare(temporary, ScalarType.Double));
                savedScalars[outer] = adjoints.TryGetValue(outer, out string? old) ? old : null;
                adjoints[outer] = temporary;
            }

            foreach ((string input, string temporary) in fused.Vectors)
            {
                output.Add(new VecLocal(temporary, new Dim(new VecRef(input), DimensionKind.Length)));
                savedVectors[input] = vectorOutputs[input];
                vectorOutputs[input] = temporary;
            }

            var iteration = new List<Stmt>();
            EmitScope(loop.Body, iteration, recomputeScope: null);
            iteration = DeadCode.Eliminate(iteration, ScopeNames(iteration));
            output.Add(loop with { Body = new Block(EquatableArray.From(iteration)) });

            foreach (KeyValuePair<string, string?> entry in savedScalars)
            {
                if (entry.Value == null)
                {
                    adjoints.Remove(entry.Key);
                }
                else
                {
                    adjoints[entry.Key] = entry.Value;
                }
            }

            foreach (KeyValuePair<string, string> entry in savedVectors)
            {
                vectorOutputs[entry.Key] = entry.Value;
            }
        }

        /// <summary>After the loop, in the reverse sweep: the temporaries times the accumulator's adjoint.</summary>
        private void EmitFusedCombination(FusedLoop fused, List<Stmt> output)
        {
            string adjoint = adjoints[fused.Accumulator];
            var scale = new Var(adjoint, ScalarType.Double);
            Guarded(adjoint, inner =>
            {
                foreach ((string outer, string temporary) in fused.Scalars)
                {
                    inner.Add(new AddTo(adjoints[outer], Mul(scale, new Var(temporary, ScalarType.Double))));
                }

                foreach ((string input, string temporary) in fused.Vectors)
                {
                    inner.Add(new AddVector(new VecRef(vectorOutputs[input]), scale, new VecScaled(1, new VecRef(temporary))));
                }
            }, output);
        }
    }
}
