using BilevelDsl.Generators.Ad;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Kernels;
using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.GeneratorTests.RuleTable;

/// <summary>
/// Walks the derivative rule table (DerivativeRules) and shows every rule's partial is right and is itself
/// differentiable: for each function f and argument k, Partial(f, [a0, a1, ...], r, k) over Var leaves
/// (a) evaluates to a central difference of f at random non-kink points, (b) is built only from nodes that
/// have rules (every Call in it is in DifferentiableFunctions()), and (c) differentiated again by forward mode
/// through the same table, matches central differences of the partial itself.
/// </summary>
public sealed class DerivativeRuleTableTests(ITestOutputHelper output)
{
    private static readonly Var R = new("r", ScalarType.Double);

    private static Var A(int i) => new("a" + i, ScalarType.Double);

    public static TheoryData<string, int> Rules()
    {
        var data = new TheoryData<string, int>();
        foreach (ScalarFunction f in DerivativeRules.DifferentiableFunctions())
        {
            for (int k = 0; k < DerivativeRules.Arity(f); k++)
            {
                data.Add(f.ToString(), k);
            }
        }

        return data;
    }

    /// <summary>Random arguments away from every kink, branch of a rule and singularity of f: each argument from
    /// its table entry's sample range (Primitive.Samples), and Max/Min arguments apart (their tie is the kink).</summary>
    private static double[] NonKinkPoint(ScalarFunction f, Random rng)
    {
        while (true)
        {
            double[] a = Primitives.Of(f).Samples
                .Select(range => (range.EitherSign && rng.Next(2) == 0 ? -1 : 1) * (range.Low + ((range.High - range.Low) * rng.NextDouble())))
                .ToArray();
            if (f is ScalarFunction.Max or ScalarFunction.Min && Math.Abs(a[0] - a[1]) < 0.15)
            {
                continue;
            }

            return a;
        }
    }

    private static double F(ScalarFunction f, double[] a) => IrEvaluator.Apply(f, a);

    private static Dictionary<string, double> Env(ScalarFunction f, double[] a)
    {
        var env = new Dictionary<string, double> { ["r"] = F(f, a) };
        for (int i = 0; i < a.Length; i++)
        {
            env["a" + i] = a[i];
        }

        return env;
    }

    /// <summary>Fourth-order central difference of g at t along one coordinate.</summary>
    private static double Difference(Func<double, double> g, double t, double h) =>
        ((8 * (g(t + h) - g(t - h))) - (g(t + (2 * h)) - g(t - (2 * h)))) / (12 * h);

    private static double[] With(double[] a, int k, double value)
    {
        double[] copy = (double[])a.Clone();
        copy[k] = value;
        return copy;
    }

    private static Expr PartialOverLeaves(ScalarFunction f, int k) =>
        DerivativeRules.Partial(f, Enumerable.Range(0, DerivativeRules.Arity(f)).Select(i => (Expr)A(i)).ToArray(), R, k);

    [Fact]
    public void TableCoversEveryDifferentiableFunction()
    {
        ScalarFunction[] functions = DerivativeRules.DifferentiableFunctions().ToArray();
        Assert.NotEmpty(functions);
        foreach (ScalarFunction f in Enum.GetValues<ScalarFunction>())
        {
            bool integer = Primitives.Of(f).Smoothness == Smoothness.Integer;
            Assert.Equal(!integer, functions.Contains(f));
        }

        // The nonsmooth primitives of the Dsl lower to these; their smoothed forms must be in the table.
        Assert.Contains(ScalarFunction.SmoothAbs, functions);
        Assert.Contains(ScalarFunction.SmoothMax, functions);
        Assert.Contains(ScalarFunction.SmoothMin, functions);
        Assert.Equal(Rules().Count(), functions.Sum(DerivativeRules.Arity));
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void PartialContainsOnlyNodesThatHaveRules(string function, int k)
    {
        ScalarFunction f = Enum.Parse<ScalarFunction>(function);
        HashSet<ScalarFunction> table = DerivativeRules.DifferentiableFunctions().ToHashSet();
        Expr partial = PartialOverLeaves(f, k);
        foreach (Expr node in IrEvaluator.Nodes(partial))
        {
            Assert.True(
                node is Num or IntNum or BoolConst or Var or Unary or Binary or Call or Select,
                $"d {f} / d a{k} contains a {node.GetType().Name}, which the scalar rules cannot differentiate");
            if (node is Var v)
            {
                Assert.True(v.Name == "r" || v.Name.StartsWith('a'), $"d {f} / d a{k} reads an unknown variable {v.Name}");
            }

            if (node is Call call)
            {
                Assert.True(table.Contains(call.Function), $"d {f} / d a{k} calls {call.Function}, which has no rule");

                // And that rule exists for every argument (Partial does not throw).
                for (int j = 0; j < call.Args.Count; j++)
                {
                    _ = DerivativeRules.Partial(call.Function, call.Args, R, j);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void PartialMatchesDifferencesOfTheFunction(string function, int k)
    {
        ScalarFunction f = Enum.Parse<ScalarFunction>(function);
        Expr partial = PartialOverLeaves(f, k);
        var rng = new Random((int)f * 31 + k);
        double worst = 0;
        for (int p = 0; p < 25; p++)
        {
            double[] a = NonKinkPoint(f, rng);
            double h = 1e-4 * Math.Max(1, Math.Abs(a[k]));
            double difference = Difference(t => F(f, With(a, k, t)), a[k], h);
            double rule = IrEvaluator.Eval(partial, Env(f, a));
            double error = Math.Abs(rule - difference) / Math.Max(1, Math.Abs(difference));
            worst = Math.Max(worst, error);
            Assert.True(error <= 1e-7, $"d {f}({string.Join(", ", a)}) / d a{k}: rule gives {rule:R}, central difference {difference:R}");
        }

        output.WriteLine($"d {f} / d a{k}: max error vs differences {worst:E2}");
    }

    /// <summary>The partial differentiated again (forward mode through the table) matches differences of the partial.</summary>
    [Theory]
    [MemberData(nameof(Rules))]
    public void PartialIsDifferentiableThroughTheTable(string function, int k)
    {
        ScalarFunction f = Enum.Parse<ScalarFunction>(function);
        int arity = DerivativeRules.Arity(f);
        Expr partial = PartialOverLeaves(f, k);
        var rng = new Random((int)f * 17 + k + 1);
        double worst = 0;
        for (int p = 0; p < 25; p++)
        {
            double[] a = NonKinkPoint(f, rng);
            for (int j = 0; j < arity; j++)
            {
                // Seed a_j; the result r moves with d f / d a_j (from the table, checked by the test above).
                Dictionary<string, double> env = Env(f, a);
                double drdaj = IrEvaluator.Eval(PartialOverLeaves(f, j), env);
                var dual = new Dictionary<string, (double, double)> { ["r"] = (env["r"], drdaj) };
                for (int i = 0; i < arity; i++)
                {
                    dual["a" + i] = (a[i], i == j ? 1 : 0);
                }

                double second = IrEvaluator.Dual(partial, dual).Tangent;
                double h = 1e-4 * Math.Max(1, Math.Abs(a[j]));
                double difference = Difference(t => IrEvaluator.Eval(partial, Env(f, With(a, j, t))), a[j], h);
                double error = Math.Abs(second - difference) / Math.Max(1, Math.Abs(difference));
                worst = Math.Max(worst, error);
                Assert.True(error <= 1e-6, $"d/d a{j} of d {f} / d a{k} at ({string.Join(", ", a)}): forward mode through the table gives {second:R}, differences {difference:R}");
            }
        }

        output.WriteLine($"d/da (d {f} / d a{k}): max error vs differences {worst:E2}");
    }

    /// <summary>Pow with a constant exponent takes folded paths (0, 1, 2, above and below 1): each is right and differentiable.</summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(2.0)]
    [InlineData(3.0)]
    [InlineData(2.5)]
    [InlineData(0.5)]
    [InlineData(-1.5)]
    public void PowWithConstantExponent(double exponent)
    {
        Expr partial = DerivativeRules.Partial(ScalarFunction.Pow, [A(0), new Num(exponent)], R, 0);
        HashSet<ScalarFunction> table = DerivativeRules.DifferentiableFunctions().ToHashSet();
        Assert.All(IrEvaluator.Nodes(partial).OfType<Call>(), c => Assert.Contains(c.Function, table));
        var rng = new Random(7);
        for (int p = 0; p < 20; p++)
        {
            double a = 0.3 + (2 * rng.NextDouble());
            var env = new Dictionary<string, double> { ["a0"] = a, ["r"] = Math.Pow(a, exponent) };
            double rule = IrEvaluator.Eval(partial, env);
            double difference = Difference(t => Math.Pow(t, exponent), a, 1e-4);
            Assert.True(Math.Abs(rule - difference) <= 1e-7 * Math.Max(1, Math.Abs(difference)), $"d a^{exponent} / da at {a}: {rule:R} vs {difference:R}");
            var dual = new Dictionary<string, (double, double)> { ["a0"] = (a, 1), ["r"] = (Math.Pow(a, exponent), rule) };
            double second = IrEvaluator.Dual(partial, dual).Tangent;
            double secondDifference = Difference(t => IrEvaluator.Eval(partial, new Dictionary<string, double> { ["a0"] = t, ["r"] = Math.Pow(t, exponent) }), a, 1e-4);
            Assert.True(Math.Abs(second - secondDifference) <= 1e-6 * Math.Max(1, Math.Abs(secondDifference)), $"d2 a^{exponent} / da2 at {a}: {second:R} vs {secondDifference:R}");
        }
    }

    /// <summary>Kink conventions of the partials, evaluated exactly at the kinks (docs/ad-conventions.md).</summary>
    [Fact]
    public void PartialsAtKinksFollowTheConventions()
    {
        double At(ScalarFunction f, int k, params double[] a) => IrEvaluator.Eval(PartialOverLeaves(f, k), Env(f, a));
        Assert.Equal(0.0, At(ScalarFunction.Abs, 0, 0.0));
        Assert.Equal(0.5, At(ScalarFunction.Max, 0, 1.5, 1.5));
        Assert.Equal(0.5, At(ScalarFunction.Max, 1, 1.5, 1.5));
        Assert.Equal(0.5, At(ScalarFunction.Min, 0, -2.0, -2.0));
        Assert.Equal(0.5, At(ScalarFunction.Min, 1, -2.0, -2.0));
        Assert.Equal(0.0, At(ScalarFunction.Sqrt, 0, 0.0));
        Assert.Equal(0.0, At(ScalarFunction.Cbrt, 0, 0.0));
        Assert.Equal(0.0, At(ScalarFunction.Pow, 0, 0.0, 0.5));
        Assert.Equal(0.0, At(ScalarFunction.Pow, 1, 0.0, 2.0));
        Assert.Equal(0.0, At(ScalarFunction.Pow, 1, -1.0, 2.0));

        // The smoothed forms at mu = 0 reduce to the same conventions; with mu > 0 they are smooth at the kink.
        Assert.Equal(0.0, At(ScalarFunction.SmoothAbs, 0, 0.0, 0.0));
        Assert.Equal(0.5, At(ScalarFunction.SmoothMax, 0, 1.0, 1.0, 0.0));
        Assert.Equal(0.5, At(ScalarFunction.SmoothMin, 1, 1.0, 1.0, 0.0));
        Assert.Equal(0.0, At(ScalarFunction.SmoothAbs, 0, 0.0, 0.1));
        Assert.Equal(KernelSupport.Step(0.0), At(ScalarFunction.SmoothMax, 1, -3.0, -3.0, 0.1));
    }

    public static TheoryData<string> VectorFunctions() => [.. Enum.GetValues<VectorFunction>().Select(f => f.ToString())];

    /// <summary>The vector rules (gradient terms of reductions) and their tangents, numerically.</summary>
    [Theory]
    [MemberData(nameof(VectorFunctions))]
    public void VectorPartialsAndTheirTangentsMatchDifferences(string function)
    {
        VectorFunction f = Enum.Parse<VectorFunction>(function);
        var rng = new Random(function.Length);
        const int n = 6;
        const double mu = 0.3;
        bool binary = f == VectorFunction.Dot;
        VecRef[] refs = binary ? [new("u"), new("w")] : [new("u")];
        for (int p = 0; p < 10; p++)
        {
            var vectors = new Dictionary<string, double[]>
            {
                ["u"] = Enumerable.Range(0, n).Select(_ => (rng.Next(2) == 0 ? -1 : 1) * (0.1 + rng.NextDouble())).ToArray(),
                ["w"] = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray(),
                ["d"] = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray(),
            };
            double Value(Dictionary<string, double[]> v) => f switch
            {
                VectorFunction.Dot => Dsl.Dot(v["u"], v["w"]),
                VectorFunction.SquaredNorm => Dsl.SquaredNorm(v["u"]),
                VectorFunction.Sum => Dsl.Sum(v["u"]),
                VectorFunction.LogSumExp => Dsl.LogSumExp(v["u"]),
                VectorFunction.Norm1 => Dsl.Norm1(v["u"]),
                VectorFunction.SmoothNorm1 => KernelSupport.SmoothNorm1(v["u"], mu),
                _ => throw new InvalidOperationException(function),
            };

            for (int k = 0; k < refs.Length; k++)
            {
                string name = refs[k].Name;
                VecTerm term = DerivativeRules.VectorPartial(f, refs, R, k, new Var("mu", ScalarType.Double));
                double[] Term(Dictionary<string, double[]> v) => EvalTerm(term, v, new Dictionary<string, double> { ["r"] = Value(v), ["mu"] = mu }, n);

                double[] gradient = Term(vectors);
                for (int i = 0; i < n; i++)
                {
                    double difference = Difference(t => Value(Shift(vectors, name, i, t - vectors[name][i])), vectors[name][i], 1e-4);
                    Assert.True(Math.Abs(gradient[i] - difference) <= 1e-8, $"{f} d/d{name}[{i}]: rule {gradient[i]:R}, differences {difference:R}");
                }

                // Tangent of the term along d (moving argument k), with the tangent of r = directional derivative.
                double rDot = gradient.Zip(vectors["d"], (g, d) => g * d).Sum();
                var scalarTangents = new Dictionary<string, double> { ["r"] = Value(vectors), ["mu"] = mu, ["r_dot"] = rDot };
                // The direction is the tangent of the term's own vector: null when the term does not move with argument k.
                VecRef? direction = TermVector(term) == name ? new VecRef("d") : null;
                double[] tangent = new double[n];
                foreach ((Expr scale, VecTerm piece) in DerivativeRules.TermTangent(term, v => direction != null && v.Name == TermVector(term) ? direction : null, e => e is Var { Name: "r" } ? new Var("r_dot", ScalarType.Double) : new Num(0)))
                {
                    double s = IrEvaluator.Eval(scale, scalarTangents);
                    double[] value = EvalTerm(piece, vectors, scalarTangents, n);
                    for (int i = 0; i < n; i++)
                    {
                        tangent[i] += s * value[i];
                    }
                }

                for (int i = 0; i < n; i++)
                {
                    int index = i;
                    double difference = Difference(t => Term(Move(vectors, name, t))[index], 0, 1e-4);
                    Assert.True(Math.Abs(tangent[i] - difference) <= 1e-7, $"{f} term {term.GetType().Name} (argument {name}) tangent [{i}]: rule {tangent[i]:R}, differences {difference:R}");
                }
            }
        }
    }

    /// <summary>The vector a term is a function of (null for constant terms).</summary>
    private static string? TermVector(VecTerm term) => term switch
    {
        VecScaled s => s.Vector.Name,
        VecExpShifted e => e.Vector.Name,
        VecSign s => s.Vector.Name,
        VecSmoothSign s => s.Vector.Name,
        _ => null,
    };

    private static Dictionary<string, double[]> Shift(Dictionary<string, double[]> v, string name, int i, double delta)
    {
        var copy = v.ToDictionary(p => p.Key, p => (double[])p.Value.Clone());
        copy[name][i] += delta;
        return copy;
    }

    private static Dictionary<string, double[]> Move(Dictionary<string, double[]> v, string name, double t)
    {
        var copy = v.ToDictionary(p => p.Key, p => (double[])p.Value.Clone());
        for (int i = 0; i < copy[name].Length; i++)
        {
            copy[name][i] += t * v["d"][i];
        }

        return copy;
    }

    private static double[] EvalTerm(VecTerm term, Dictionary<string, double[]> vectors, Dictionary<string, double> scalars, int n)
    {
        double[] V(VecRef r) => vectors[r.Name];
        double S(Expr e) => IrEvaluator.Eval(e, scalars);
        return term switch
        {
            VecScaled s => V(s.Vector).Select(t => s.Factor * t).ToArray(),
            VecOnes => Enumerable.Repeat(1.0, n).ToArray(),
            VecExpShifted e => V(e.Vector).Select(t => Math.Exp(t - S(e.Shift))).ToArray(),
            VecSign s => V(s.Vector).Select(KernelSupport.Sign).ToArray(),
            VecSmoothSign s => V(s.Vector).Select(t => KernelSupport.SmoothSign(t, S(s.Mu))).ToArray(),
            VecSmoothSignProduct p => V(p.Vector).Select((t, i) =>
            {
                double m = S(p.Mu), norm = KernelSupport.SmoothAbs(t, m);
                return norm > 0 ? m * m / (norm * norm * norm) * V(p.Tangent)[i] : 0;
            }).ToArray(),
            VecExpShiftedProduct p => V(p.Vector).Select((t, i) => Math.Exp(t - S(p.Shift)) * V(p.Tangent)[i]).ToArray(),
            _ => throw new InvalidOperationException("no evaluator for " + term.GetType().Name),
        };
    }
}
