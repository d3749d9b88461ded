using System;
using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;
using static BilevelDsl.Generators.Ir.Simplify;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>
    /// Forward (tangent) mode as a source transformation of any IR program: next to every active variable it
    /// computes that variable's directional derivative. Applied to a reverse-mode gradient program it yields
    /// Hessian-vector products (forward over reverse) without forming a Hessian. Partials come from the same
    /// <see cref="DerivativeRules"/> table the reverse pass uses; branches keep their (unchanged) conditions.
    /// </summary>
    internal sealed partial class TangentMode
    {
        private readonly NameTable names;
        private readonly Activity activity;
        private readonly Dictionary<string, string> scalarTangents;
        private readonly Dictionary<string, string> vectorTangents;
        private readonly ISet<string> droppedOutputs;
        private readonly HashSet<string> seeded;
        private readonly Dictionary<string, string> storeTangents = new Dictionary<string, string>(StringComparer.Ordinal);
        private readonly IReadOnlyDictionary<string, Function> helpers;

        private TangentMode(NameTable names, Activity activity, Dictionary<string, string> scalarTangents, Dictionary<string, string> vectorTangents, ISet<string> droppedOutputs, IReadOnlyDictionary<string, Function> helpers)
        {
            this.helpers = helpers;
            this.names = names;
            this.activity = activity;
            this.scalarTangents = scalarTangents;
            this.vectorTangents = vectorTangents;
            this.droppedOutputs = droppedOutputs;
            seeded = new HashSet<string>(scalarTangents.Keys, StringComparer.Ordinal);
        }

        /// <summary>
        /// The tangent program of <paramref name="program"/>. <paramref name="seeds"/> maps each input (scalar
        /// variable or vector) to the name of its tangent, and each output to the name of the output's tangent.
        /// Writes to the outputs listed in <paramref name="droppedOutputs"/> are removed (a Hessian-vector
        /// kernel does not need the gradient itself).
        /// </summary>
        public static Block Apply(Block program, NameTable names, IReadOnlyList<string> inputs, IReadOnlyDictionary<string, string> seeds, IReadOnlyDictionary<string, bool> isVector, ISet<string> droppedOutputs, IReadOnlyDictionary<string, Function> helpers)
        {
            var function = new Function("tangent", EquatableArray.From(inputs.Select(i => new Parameter(i, isVector[i] ? ParameterKind.Span : ParameterKind.Scalar))), EquatableArray<DataSymbol>.Empty, program);
            Activity activity = Activity.Of(function, inputs);
            var scalarTangents = new Dictionary<string, string>(StringComparer.Ordinal);
            var vectorTangents = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (KeyValuePair<string, string> seed in seeds)
            {
                if (isVector[seed.Key])
                {
                    vectorTangents[seed.Key] = seed.Value;
                }
                else
                {
                    scalarTangents[seed.Key] = seed.Value;
                }
            }

            var mode = new TangentMode(names, activity, scalarTangents, vectorTangents, droppedOutputs, helpers);
            return new Block(EquatableArray.From(mode.Statements(program)));
        }

        private string TangentOf(string variable)
        {
            if (!scalarTangents.TryGetValue(variable, out string? tangent))
            {
                tangent = names.Fresh(variable + "_dot");
                scalarTangents[variable] = tangent;
            }

            return tangent;
        }

        /// <summary>Active variables, and the seeded inputs and outputs (an output's tangent is always written).</summary>
        private bool HasTangent(string variable) => activity.IsActiveVariable(variable) || seeded.Contains(variable);

        private List<Stmt> Statements(Block block)
        {
            var output = new List<Stmt>();
            foreach (Stmt statement in block.Statements)
            {
                GenerationCancellation.ThrowIfRequested();
                Statement(statement, output);
            }

            return output;
        }

        private void Statement(Stmt statement, List<Stmt> output)
        {
            switch (statement)
            {
                case Assign a:
                    if (!droppedOutputs.Contains(a.Target))
                    {
                        output.Add(a);
                    }

                    if (a.Type == ScalarType.Double && HasTangent(a.Target))
                    {
                        // The assigned variable holds the call's value: rules that read the result (exp, sigmoid,
                        // log-sum-exp) read the variable instead of calling again.
                        Expr? result = droppedOutputs.Contains(a.Target) ? null : new Var(a.Target, ScalarType.Double);
                        Expr tangent = Tangent(a.Value, output, result);
                        output.Add(new Assign(TangentOf(a.Target), ScalarType.Double, tangent, a.Declare));
                    }

                    break;
                case Declare d:
                    output.Add(d);
                    if (d.Type == ScalarType.Double && HasTangent(d.Name))
                    {
                        output.Add(new Declare(TangentOf(d.Name), ScalarType.Double));
                    }

                    break;
                case AddTo add:
                    if (!droppedOutputs.Contains(add.Target))
                    {
                        output.Add(add);
                    }

                    if (HasTangent(add.Target))
                    {
                        Expr tangent = Tangent(add.Value, output);
                        if (!IsConstant(tangent, 0))
                        {
                            output.Add(new AddTo(TangentOf(add.Target), tangent));
                        }
                    }

                    break;
                case AddToElement element:
                    if (!droppedOutputs.Contains(element.Vector.Name))
                    {
                        output.Add(element);
                    }

                    if (TangentVector(element.Vector) is VecRef elementTarget)
                    {
                        Expr elementTangent = Tangent(element.Value, output);
                        if (!IsConstant(elementTangent, 0))
                        {
                            output.Add(new AddToElement(elementTarget, element.Index, elementTangent));
                        }
                    }

                    break;
                case VecLocal local:
                    output.Add(local);
                    if (activity.IsActiveVectorName(local.Name))
                    {
                        if (!vectorTangents.TryGetValue(local.Name, out string? tangent))
                        {
                            tangent = names.Fresh(local.Name + "_dot");
                            vectorTangents[local.Name] = tangent;
                        }

                        output.Add(new VecLocal(tangent, local.Length, local.Store == null ? null : StoreTangent(local.Store), local.Slot, local.Keep));
                    }

                    break;
                case VecStore store:
                    output.Add(store);
                    if (activity.IsActiveVectorName(store.Vector))
                    {
                        output.Add(new VecStore(StoreTangent(store.Name), store.Length, store.Vector + "_dot"));
                    }

                    break;
                case MatVecUpdate product:
                    if (!droppedOutputs.Contains(product.Target.Name))
                    {
                        output.Add(product);
                    }

                    MatVecTangent(product, output);
                    break;
                case OuterUpdate outer:
                    if (!droppedOutputs.Contains(outer.Target.Name))
                    {
                        output.Add(outer);
                    }

                    OuterTangent(outer, output);
                    break;
                case AddVector vector:
                    if (!droppedOutputs.Contains(vector.Target.Name))
                    {
                        output.Add(vector);
                    }

                    VectorUpdateTangent(vector, output);
                    break;
                case ClearVector clear:
                    if (!droppedOutputs.Contains(clear.Vector.Name))
                    {
                        output.Add(clear);
                    }

                    if (TangentVector(clear.Vector) is VecRef clearTarget)
                    {
                        output.Add(new ClearVector(clearTarget));
                    }

                    break;
                case HelperPartials partials:
                    HelperPartialsWithTangents(partials, output);
                    break;
                case If branch:
                    Expr condition = branch.Condition;
                    if (branch.GuardedAdjoint != null && HasTangent(branch.GuardedAdjoint))
                    {
                        // d(adjoint * partial) = adjoint' * partial + adjoint * partial': nonzero when either is.
                        var tangent = new Var(TangentOf(branch.GuardedAdjoint), ScalarType.Double);
                        condition = new Binary(BinaryOp.Or, condition, new Binary(BinaryOp.NotEqual, tangent, Zero));
                    }

                    output.Add(new If(condition, new Block(EquatableArray.From(Statements(branch.Then))), new Block(EquatableArray.From(Statements(branch.Else))), branch.GuardedAdjoint));
                    break;
                case For loop:
                    output.Add(loop with { Body = new Block(EquatableArray.From(Statements(loop.Body))) });
                    break;
                default:
                    output.Add(statement);
                    break;
            }
        }

        /// <summary>target += scale * term, differentiated: target' += scale' * term + scale * term'.</summary>
        private void VectorUpdateTangent(AddVector update, List<Stmt> output)
        {
            if (!(TangentVector(update.Target) is VecRef target))
            {
                return; // an inactive computed vector
            }

            Expr scaleTangent = Tangent(update.Scale, output);
            if (!IsConstant(scaleTangent, 0))
            {
                output.Add(new AddVector(target, scaleTangent, update.Source));
            }

            foreach ((Expr scale, VecTerm term) in DerivativeRules.TermTangent(update.Source, TangentVector, e => Tangent(e, output)))
            {
                output.Add(new AddVector(target, Mul(update.Scale, scale), term));
            }
        }

        /// <summary>(z += s M v)' is z' += s' M v + s M' v + s M v'.</summary>
        private void MatVecTangent(MatVecUpdate product, List<Stmt> output)
        {
            if (!(TangentVector(product.Target) is VecRef target))
            {
                return;
            }

            Expr scaleTangent = Tangent(product.Scale, output);
            if (!IsConstant(scaleTangent, 0))
            {
                output.Add(product with { Target = target, Scale = scaleTangent });
            }

            if (TangentMatrix(product.Matrix) is MatRef matrixTangent)
            {
                output.Add(product with { Target = target, Matrix = matrixTangent });
            }

            if (TangentVector(product.Vector) is VecRef vectorTangent)
            {
                output.Add(product with { Target = target, Vector = vectorTangent });
            }
        }

        /// <summary>(T += s a bᵀ)' is T' += s' a bᵀ + s a' bᵀ + s a b'ᵀ.</summary>
        private void OuterTangent(OuterUpdate outer, List<Stmt> output)
        {
            if (!(TangentMatrix(outer.Target) is MatRef target))
            {
                return;
            }

            Expr scaleTangent = Tangent(outer.Scale, output);
            if (!IsConstant(scaleTangent, 0))
            {
                output.Add(outer with { Target = target, Scale = scaleTangent });
            }

            if (TangentVector(outer.Left) is VecRef left)
            {
                output.Add(outer with { Target = target, Left = left });
            }

            if (TangentVector(outer.Right) is VecRef right)
            {
                output.Add(outer with { Target = target, Right = right });
            }
        }

        private string StoreTangent(string store)
        {
            if (!storeTangents.TryGetValue(store, out string? tangent))
            {
                tangent = names.Fresh(store + "_dot");
                storeTangents[store] = tangent;
            }

            return tangent;
        }

        /// <summary>The tangent of a matrix view (data matrices have none).</summary>
        private MatRef? TangentMatrix(MatRef matrix) =>
            matrix.IsView && vectorTangents.TryGetValue(matrix.Name, out string? tangent) ? matrix.Renamed(tangent) : null;

        /// <summary>The tangent span of a vector: inputs' directions and outputs' tangent outputs; null for data.</summary>
        private VecRef? TangentVector(VecRef vector) =>
            vector.Row == null && vectorTangents.TryGetValue(vector.Name, out string? tangent) ? vector.Renamed(tangent) : null;
    }
}
