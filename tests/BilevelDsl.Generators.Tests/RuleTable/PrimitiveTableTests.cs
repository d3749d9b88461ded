using System.Reflection;
using BilevelDsl.GeneratorTests.Corpus;
using BilevelDsl.GeneratorTests.Harness;
using BilevelDsl.Generators.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace BilevelDsl.GeneratorTests.RuleTable;

/// <summary>
/// The primitive table (Ir/Primitives.cs) is complete: every IR function has exactly one entry, and every entry
/// has every part it needs (a printed runtime method of the right shape, the user's spelling, partials, sample
/// ranges, a smoothed form for each kink); the front end accepts exactly the Math methods the table names; every
/// user-facing primitive is in the finite-difference corpus; declared curvature and monotonicity hold.
/// The partials themselves are checked by <see cref="DerivativeRuleTableTests"/>, which walks the same table.
/// </summary>
public sealed class PrimitiveTableTests
{
    public static TheoryData<string> Functions() => [.. Enum.GetValues<ScalarFunction>().Select(f => f.ToString())];

    [Fact]
    public void Every_IR_function_has_exactly_one_entry()
    {
        Assert.Equal(Enum.GetValues<ScalarFunction>().OrderBy(f => f), Primitives.All.Select(p => p.Function).OrderBy(f => f));
        Assert.Equal(Enum.GetValues<VectorFunction>().OrderBy(f => f), Primitives.AllVector.Select(p => p.Function).OrderBy(f => f));
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Entry_has_every_part(string function)
    {
        Primitive p = Primitives.Of(Enum.Parse<ScalarFunction>(function));
        Type parameterType = p.ParameterType == ScalarType.Int ? typeof(int) : typeof(double);
        Assert.True(p.Arity >= 1, $"{function}: arity {p.Arity}");

        // Value: the printed method exists with this arity (the evaluator runs it; a typo fails here).
        Assert.NotNull(IrEvaluator.ResolvePrinted(p.Printed, p.Arity, parameterType));

        // The user's spellings exist with the same shape.
        if (p.MathName != null)
        {
            Assert.True(HasMethod(typeof(Math), p.MathName, p.Arity, parameterType), $"{function}: no Math.{p.MathName} of {p.Arity} {parameterType.Name}");
        }

        if (p.DslName != null)
        {
            Assert.True(HasMethod(typeof(Dsl), p.DslName, p.Arity, parameterType), $"{function}: no Dsl.{p.DslName} of {p.Arity} {parameterType.Name}");
        }

        if (p.Smoothness == Smoothness.Integer)
        {
            Assert.Null(p.Partial);
            Assert.Equal(ScalarType.Int, p.ParameterType);
            return;
        }

        // Partials for every argument, over leaves, without throwing; sample ranges for every argument.
        Assert.NotNull(p.Partial);
        Expr[] leaves = Enumerable.Range(0, p.Arity).Select(i => (Expr)new Var("a" + i, ScalarType.Double)).ToArray();
        for (int k = 0; k < p.Arity; k++)
        {
            Assert.NotNull(p.Partial!(leaves, new Var("r", ScalarType.Double), k));
        }

        Assert.Equal(p.Arity, p.Samples.Length);
        Assert.All(p.Samples, range => Assert.True(range.Low < range.High, $"{function}: empty sample range"));

        // A kink has a smoothed form taking the same arguments and then mu; nothing else has one.
        if (p.Smoothness == Smoothness.Kink)
        {
            Assert.NotNull(p.SmoothedBy);
            Primitive smoothed = Primitives.Of(p.SmoothedBy!.Value);
            Assert.Equal(p.Arity + 1, smoothed.Arity);
            Assert.Equal(Smoothness.Smooth, smoothed.Smoothness);
            Assert.False(smoothed.IsUserFacing, $"{smoothed.Function} is produced by smoothing, not written by users");
        }
        else
        {
            Assert.Null(p.SmoothedBy);
        }
    }

    [Fact]
    public void Vector_entries_have_every_part()
    {
        foreach (VectorPrimitive p in Primitives.AllVector)
        {
            Type span = typeof(ReadOnlySpan<double>);
            MethodInfo? printed = PrintedVectorMethod(p);
            Assert.True(printed != null, $"{p.Function} prints {p.Printed}, which is no method of {p.Arity} spans{(p.TakesMu ? " and mu" : string.Empty)}");
            Assert.True(p.DslName != null || p.TakesMu, $"{p.Function}: neither written by users nor a smoothed form");
            if (p.DslName != null)
            {
                Assert.True(typeof(Dsl).GetMethods().Any(m => m.Name == p.DslName && m.GetParameters().Length == p.Arity && m.GetParameters().All(q => q.ParameterType == span)), $"no Dsl.{p.DslName}");
            }

            VecRef[] args = Enumerable.Range(0, p.Arity).Select(i => new VecRef("v" + i)).ToArray();
            for (int k = 0; k < p.Arity; k++)
            {
                Assert.NotNull(p.Partial(args, new Var("r", ScalarType.Double), k, new Var("mu", ScalarType.Double)));
            }

            Assert.Equal(p.Smoothness == Smoothness.Kink, p.SmoothedBy != null);
            if (p.SmoothedBy is VectorFunction smoothed)
            {
                Assert.True(Primitives.Of(smoothed).TakesMu && Primitives.Of(smoothed).Arity == p.Arity, $"{p.Function}: smoothed form {smoothed} must take the same vectors and mu");
            }
        }
    }

    /// <summary>
    /// One body calls every public static System.Math method of doubles (or of ints) that returns its parameter
    /// type; the analyzer must reject (BDSL0008) exactly the calls whose method has no table entry. So the front
    /// end cannot accept a Math method the table does not declare, nor reject one it does.
    /// </summary>
    [Fact]
    public async Task Front_end_accepts_exactly_the_Math_methods_in_the_table()
    {
        var calls = new List<(string Call, Primitive? Entry)>();
        foreach (MethodInfo m in typeof(Math).GetMethods(BindingFlags.Public | BindingFlags.Static).OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            ParameterInfo[] parameters = m.GetParameters();
            foreach ((Type type, ScalarType scalar, string[] args) in new[] { (typeof(double), ScalarType.Double, new[] { "x", "y", "0.5" }), (typeof(int), ScalarType.Int, new[] { "i", "j", "3" }) })
            {
                if (parameters.Length is >= 1 and <= 3 && m.ReturnType == type && parameters.All(q => q.ParameterType == type))
                {
                    calls.Add(($"Math.{m.Name}({string.Join(", ", args.Take(parameters.Length))})", Primitives.Find(dsl: false, m.Name, parameters.Length, scalar)));
                }
            }
        }

        string body = "int i = 2;\nint j = 5;\ndouble s = 0;\n" + string.Join("\n", calls.Select(c => "s += " + c.Call + ";")) + "\nreturn s;";
        string source = new ModelSpec { Name = "AllMath", Namespace = "Table", Kind = ModelKind.Scalar, Upper = body, Lower = "return (y - x) * (y - x);" }.ToSource();
        Compilation compilation = References.Compile(source);
        IReadOnlyList<Diagnostic> rejected = (await AnalyzerHarness.RunAsync(compilation)).Where(d => d.Id == "BDSL0008").ToList();
        List<InvocationExpressionSyntax> invocations = compilation.SyntaxTrees.Single().GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>().ToList();

        Assert.Contains(calls, c => c.Entry == null); // the probe is real: some Math methods are not primitives
        foreach ((string call, Primitive? entry) in calls)
        {
            InvocationExpressionSyntax site = invocations.First(n => n.ToString() == call);
            bool isRejected = rejected.Any(d => d.Location.SourceSpan.IntersectsWith(site.Span));
            Assert.True(isRejected == (entry == null), entry == null ? $"{call} is accepted but has no primitive-table entry" : $"{call} has the entry {entry.Function} but is rejected");
        }
    }

    [Fact]
    public void Every_user_facing_primitive_is_in_the_finite_difference_corpus_on_both_levels()
    {
        foreach (Primitive p in Primitives.All.Where(p => p.IsUserFacing && p.Smoothness != Smoothness.Integer))
        {
            string[] spellings = new[] { p.MathName == null ? null : "Math." + p.MathName + "(", p.DslName == null ? null : "Dsl." + p.DslName + "(" }.OfType<string>().ToArray();
            Assert.True(CorpusModels.All.Any(m => spellings.Any(s => m.Upper.Contains(s, StringComparison.Ordinal))), $"{p.Function} is in no corpus Upper body");
            Assert.True(CorpusModels.All.Any(m => spellings.Any(s => m.Lower.Contains(s, StringComparison.Ordinal))), $"{p.Function} is in no corpus Lower body");
        }
    }

    /// <summary>The convexity analysis reads curvature and monotonicity from the table: every entry states both
    /// (Unknown is "not stated"; Neither is a statement).</summary>
    [Fact]
    public void Every_primitive_states_curvature_and_monotonicity()
    {
        foreach (Primitive p in Primitives.All)
        {
            Assert.True(p.Curvature != Curvature.Unknown, $"{p.Function} states no curvature");
            Assert.True(p.Monotonicity != Monotonicity.Unknown, $"{p.Function} states no monotonicity");
        }

        foreach (VectorPrimitive p in Primitives.AllVector)
        {
            Assert.True(p.Curvature != Curvature.Unknown, $"{p.Function} states no curvature");
            Assert.True(p.Monotonicity != Monotonicity.Unknown, $"{p.Function} states no monotonicity");
        }
    }

    /// <summary>The convexity analysis will trust these slots: midpoint convexity/concavity and the sign of the
    /// partials, at random points of the sample ranges.</summary>
    [Theory]
    [MemberData(nameof(Functions))]
    public void Declared_curvature_and_monotonicity_hold(string function)
    {
        Primitive p = Primitives.Of(Enum.Parse<ScalarFunction>(function));
        if (p.Smoothness == Smoothness.Integer)
        {
            return;
        }

        var rng = new Random(function.Length * 13);
        double[] Point() => p.Samples.Select(r => (r.EitherSign && rng.Next(2) == 0 ? -1 : 1) * (r.Low + ((r.High - r.Low) * rng.NextDouble()))).ToArray();
        for (int n = 0; n < 200; n++)
        {
            double[] a = Point(), b = Point();
            double mid = IrEvaluator.Apply(p.Function, a.Zip(b, (u, v) => (u + v) / 2).ToArray());
            double chord = (IrEvaluator.Apply(p.Function, a) + IrEvaluator.Apply(p.Function, b)) / 2;
            double slack = 1e-12 * Math.Max(1, Math.Abs(chord));
            switch (p.Curvature)
            {
                case Curvature.Convex:
                    Assert.True(mid <= chord + slack, $"{function} declared convex: f(midpoint) {mid:R} > mean {chord:R}");
                    break;
                case Curvature.Concave:
                    Assert.True(mid >= chord - slack, $"{function} declared concave: f(midpoint) {mid:R} < mean {chord:R}");
                    break;
                case Curvature.Affine:
                    Assert.True(Math.Abs(mid - chord) <= slack, $"{function} declared affine");
                    break;
            }

            if (p.Monotonicity is Monotonicity.Increasing or Monotonicity.Decreasing)
            {
                var env = new Dictionary<string, double> { ["r"] = IrEvaluator.Apply(p.Function, a) };
                for (int i = 0; i < a.Length; i++)
                {
                    env["a" + i] = a[i];
                }

                Expr[] leaves = Enumerable.Range(0, p.Arity).Select(i => (Expr)new Var("a" + i, ScalarType.Double)).ToArray();
                for (int k = 0; k < p.Arity; k++)
                {
                    double partial = IrEvaluator.Eval(p.Partial!(leaves, new Var("r", ScalarType.Double), k), env);
                    Assert.True(p.Monotonicity == Monotonicity.Increasing ? partial >= 0 : partial <= 0, $"{function} declared {p.Monotonicity}: d/da{k} = {partial:R}");
                }
            }
        }
    }

    /// <summary>The analysis also trusts <see cref="Primitive.Strict"/> (a strictly concave lower level is called
    /// nonconvex) and <see cref="Primitive.ResultSign"/> (the sign feeds its scale and product rules): both checked at
    /// random points of the sample ranges.</summary>
    [Theory]
    [MemberData(nameof(Functions))]
    public void Declared_strictness_and_result_sign_hold(string function)
    {
        Primitive p = Primitives.Of(Enum.Parse<ScalarFunction>(function));
        if (p.Strict)
        {
            Assert.True(p.Arity == 1 && p.Curvature is Curvature.Convex or Curvature.Concave, $"{function}: Strict needs one argument and a convex or concave curvature");
        }

        if (p.Smoothness == Smoothness.Integer)
        {
            // Int functions have no sample ranges; nothing is declared for them, so nothing is trusted.
            Assert.True(p.ResultSign == SignRule.Unknown && !p.Strict, $"{function}: a sign rule or strictness on an int function is never checked");
            return;
        }

        var rng = new Random(function.Length * 17);
        double[] Point() => p.Samples.Select(r => (r.EitherSign && rng.Next(2) == 0 ? -1 : 1) * (r.Low + ((r.High - r.Low) * rng.NextDouble()))).ToArray();
        double Apply(double[] a) => IrEvaluator.Apply(p.Function, a);
        for (int n = 0; n < 200; n++)
        {
            double[] a = Point();
            double value = Apply(a);
            switch (p.ResultSign)
            {
                case SignRule.Positive:
                    Assert.True(value > 0, $"{function}({string.Join(", ", a)}) = {value:R}, declared positive");
                    break;
                case SignRule.NonnegativePositiveOffZero:
                    Assert.True(a[0] == 0 ? value >= 0 : value > 0, $"{function}({string.Join(", ", a)}) = {value:R}, declared positive off zero");
                    break;
                case SignRule.OfArgument:
                    Assert.True(Math.Sign(value) == Math.Sign(a[0]), $"{function}({a[0]:R}) = {value:R}, declared of the argument's sign");
                    break;
                case SignRule.AtLeastLarger:
                    Assert.True(value >= Math.Max(a[0], a[1]) - 1e-12, $"{function}({string.Join(", ", a)}) = {value:R} < the larger argument");
                    break;
                case SignRule.AtLeastSmaller:
                    Assert.True(value >= Math.Min(a[0], a[1]) - 1e-12, $"{function}({string.Join(", ", a)}) = {value:R} < the smaller argument");
                    break;
            }

            double[] b = Point();
            if (p.Strict && Math.Abs(a[0] - b[0]) >= 0.1)
            {
                // Midpoint strictly below (convex) or above (concave) the chord, by more than rounding.
                double gap = ((Apply(a) + Apply(b)) / 2) - Apply([(a[0] + b[0]) / 2]);
                Assert.True(p.Curvature == Curvature.Convex ? gap > 1e-6 : gap < -1e-6, $"{function} declared strictly {p.Curvature}: chord - midpoint = {gap:R} between {a[0]:R} and {b[0]:R}");
            }
        }
    }

    private static bool HasMethod(Type type, string name, int arity, Type parameterType) =>
        type.GetMethods(BindingFlags.Public | BindingFlags.Static).Any(m => m.Name == name && m.ReturnType == parameterType
            && m.GetParameters().Length == arity && m.GetParameters().All(q => q.ParameterType == parameterType));

    private static MethodInfo? PrintedVectorMethod(VectorPrimitive p)
    {
        string qualified = p.Printed["global::".Length..];
        Type? type = typeof(Dsl).Assembly.GetType(qualified[..qualified.LastIndexOf('.')]);
        string name = qualified[(qualified.LastIndexOf('.') + 1)..];
        Type[] expected = Enumerable.Repeat(typeof(ReadOnlySpan<double>), p.Arity).Concat(p.TakesMu ? new[] { typeof(double) } : []).ToArray();
        return type?.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == name && m.ReturnType == typeof(double) && m.GetParameters().Select(q => q.ParameterType).SequenceEqual(expected));
    }
}
