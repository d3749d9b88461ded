using BilevelDsl.GeneratorTests.Harness;

namespace BilevelDsl.GeneratorTests.Robustness;

/// <summary>
/// What the mutator inserts: expressions and statements, supported and unsupported. Placeholders:
/// X0/Y0 = an element of x/y (x[0] for span models, x for scalar ones), XLEN = a loop bound, XI(i) = an
/// element of x at index i, {n} = a number unique within the mutant (so inserted locals do not clash).
/// Entries marked "span:" are only used for span models.
/// </summary>
public static class MutationPools
{
    /// <summary>Members added to every mutant, so pool entries that mention them bind.</summary>
    public const string MutantData = """
        private static double Data0 = 1.5;
        private static readonly double[] Arr0 = { 0.5, -1.0, 2.0 };
        private static readonly int IntData0 = 5;
        public double Field0 = 0.75;
        private static ref double RefData0() => ref Arr0[2];
        private static readonly Matrix Mat0 = new Matrix(2, 3, new double[] { 1, 0.5, -1, 2, 0, 1 });

        private static double Helper0(double t)
        {
            return t * 2;
        }
        """;

    /// <summary>[Differentiable] helpers the pools call, added to a mutant only when it calls them: each one a
    /// mutant declares gets derivative programs, and unused ones only made every compilation larger.</summary>
    public static readonly (string Name, string Members)[] MutantHelpers =
    {
        ("DiffHelper0", """
            [Differentiable]
            private static double DiffHelper0(double t, int k)
            {
                return k * Math.Sin(t);
            }

            [Differentiable]
            private static double DiffHelper0(double t) => t * t + 0.5 * t;
            """),
        ("Walk0", """
            [Differentiable]
            private static double Walk0(double a, int n)
            {
                for (int i = 0; i < n; i++)
                {
                    a += 0.5 * i;
                }

                a = a * Math.Sin(a);
                return a;
            }
            """),
    };

    /// <summary>The members a mutant with these level bodies needs: the data, and the helpers the bodies call.</summary>
    public static string MembersFor(string upper, string lower) =>
        string.Join("\n\n", new[] { MutantData }.Concat(MutantHelpers
            .Where(h => upper.Contains(h.Name, StringComparison.Ordinal) || lower.Contains(h.Name, StringComparison.Ordinal))
            .Select(h => h.Members)));

    public static readonly string[] Expressions =
    {
        // Supported.
        "X0", "Y0", "X0 * Y0", "1.5", "2", "0", "Math.Sin(X0)", "Math.Exp(-Y0 * Y0)", "Math.Sqrt(1 + Y0 * Y0)",
        "Math.Log(2 + X0)", "Math.Pow(1 + Y0 * Y0, 0.5)", "Math.Max(X0, Y0)", "Math.Min(X0, 0.5)", "Math.Abs(Y0)",
        "Math.Tanh(X0)", "Math.Atan(Y0)", "Math.Tan(0.1 * X0)", "Math.Cos(Y0)", "Dsl.Sigmoid(Y0)", "Dsl.Softplus(X0)",
        "Math.PI", "Math.E", "(X0 > Y0 ? X0 : Y0)", "(double)3", "Data0", "Arr0[1]", "Data0 * X0", "-Y0",
        "(X0 > 0 && Y0 < 0 ? 1.0 : 2.0)", "IntData0 % 2", "IntData0 / 2", "DiffHelper0(X0, 2)", "Mat0[1, 2] * Y0",
        // Unsupported or doubtful.
        "new double[] { 1, 2 }[0]", "((Func<double>)(() => 1.0))()", "\"ab\".Length", "X0 % 2.0", "Math.Round(X0)",
        "Math.Floor(Y0)", "Math.Asinh(X0)", "Math.Sign(Y0)", "DateTime.Now.Second", "double.MaxValue", "default(double)",
        "typeof(double).Name.Length", "nameof(x).Length", "Random.Shared.NextDouble()", "this.GetHashCode()", "(float)X0",
        "(int)Y0", "(X0 is > 0 ? 1.0 : 0.0)", "checked(IntData0 * 2)", "sizeof(double)", "new Random(1).NextDouble()",
        "OTHERLEVEL(x, y)", "Helper0(X0)", "(Data0 = 2)", "Data0++", "(Arr0[0] = X0)", "string.Concat(\"a\", \"b\").Length",
        "Math.Clamp(X0, 0, 1)", "Math.Log2(2 + Y0)", "Math.Exp(X0) is double ? 1 : 0",
        // Span models only.
        "span:x[x.Length - 1]", "span:y[1 % y.Length]", "span:Dsl.Dot(x, x)", "span:Dsl.Sum(y)", "span:Dsl.SquaredNorm(x)",
        "span:Dsl.LogSumExp(y)", "span:(double)x.Length", "span:x.Length", "span:x[^1]", "span:Dsl.Sum(x[1..])",
        "span:x.Length switch { 3 => 1.0, _ => 0.0 }", "span:(x.IsEmpty ? 1.0 : 0.0)", "span:x.ToArray()[0]",
        "span:y.IndexOf(0.5)", "span:Dsl.Dot(Arr0, y)", "span:x[IntData0 % x.Length]", "span:Dsl.Dot(Mat0.Row(0), x)",
        "span:Mat0.Rows", "span:System.Linq.Enumerable.Sum(Arr0)",
        "span:Dsl.Dot(y.Slice(1), x.Slice(0, y.Length - 1))", "span:Dsl.Reshape(y, 1, y.Length)[0, 0]",
        "span:Dsl.SoftmaxCrossEntropy(y, 0)", "span:Dsl.Dot(Dsl.Reshape(x, 1, x.Length).Row(0), x)",
        "span:Dsl.Reshape(y, 2, 2)[0, 0]",
    };

    public static readonly string[] Statements =
    {
        // Supported.
        "double t{n} = X0 > 0 ? Math.Log(X0) : 0;", "double e{n} = Math.Exp(-Y0 * Y0);", "int r{n} = IntData0 % 3;",
        "double acc{n} = 0; for (int i{n} = 0; i{n} < XLEN; i{n}++) { acc{n} += XI(i{n}); }",
        "double z{n} = 1; z{n} = z{n} * X0;", "double w{n} = X0; w{n} /= Y0 * Y0 + 1;", ";", "{ }",
        "if (X0 > 0) { } else { }", "return Y0;", "if (X0 > 0.5) return X0 * Y0;",
        "for (int i{n} = 0; i{n} < XLEN; i{n}++) { double s{n} = XI(i{n}); s{n} *= 2; }",
        "for (int i{n} = 0; i{n} < XLEN; i{n}++) { for (int j{n} = 0; j{n} < i{n}; j{n}++) { } }",
        "var v{n} = X0;", "int k{n} = 5; k{n}++;", "double d{n} = DiffHelper0(Y0, 3);",
        // Unsupported.
        "while (false) { }", "foreach (var v{n} in Arr0) { }", "do { } while (false);", "{ goto L{n}; L{n}: ; }",
        "switch (IntData0) { default: break; }", "try { } finally { }", "lock (Arr0) { }",
        "using (var d{n} = new System.IO.MemoryStream()) { }", "double[] tmp{n} = new double[2];",
        "string s{n} = \"a\" + IntData0;", "Func<double, double> f{n} = t => t * 2;", "double m{n} = X0 % 2.0;",
        "double p{n} = 1; for (int i{n} = 0; i{n} < XLEN; i{n}++) { p{n} *= XI(i{n}); }",
        "double q{n} = 0; for (int i{n} = 0; i{n} < XLEN; i{n}++) { q{n} = q{n} + XI(i{n}); }",
        "double rd{n} = 0; for (int i{n} = 0; i{n} < XLEN; i{n}++) { rd{n} += XI(i{n}); double u{n} = rd{n}; }",
        "double lp{n} = 0; for (int i{n} = 0; i{n} < 3; i{n}++) { lp{n} += Arr0[i{n}] * Y0; lp{n} *= 0.5; }",
        "for (int i{n} = 0; i{n} < XLEN; i{n} += 2) { }",
        "for (int i{n} = 0; i{n} < XLEN; i{n}++) { if (XI(i{n}) > 0) return 1.0; }",
        "int n{n} = 3; for (int i{n} = 0; i{n} < n{n}; i{n}++) { n{n} = 2; }",
        "x = y;", "y = x;", "if (IntData0 > 100) throw new InvalidOperationException();", "Console.WriteLine(X0);",
        "double c{n} = Math.Round(X0);", "double h{n} = Helper0(Y0);", "Data0 = 1;", "Arr0[0] = X0;", "Data0 += X0;",
        "Math.Sin(X0);", "checked { }", "static double Lf{n}(double t) => t * 2;", "var (a{n}, b{n}) = (X0, Y0);",
        "double[] arr{n} = { X0, Y0 };", "double nn{n} = double.NaN;", "bool flag{n} = X0 > 0;",
        "span:ReadOnlySpan<double> sp{n} = x;", "span:ReadOnlySpan<double> sl{n} = x[1..];",
        "span:Span<double> st{n} = stackalloc double[2];", "span:x.CopyTo(new double[8]);",
        // Vector constructs: supported ones, then misuses (BDSL0020 and friends).
        "span:Span<double> sm{n} = stackalloc double[2]; Dsl.Softmax(y.Slice(0, 2), sm{n}); double ss{n} = sm{n}[1] * X0;",
        "span:Span<double> mv{n} = stackalloc double[1]; Dsl.MatVec(Dsl.Reshape(y.Slice(0, 2), 1, 2), x.Slice(0, 2), mv{n}); double mm{n} = mv{n}[0];",
        "span:Span<double> ax{n} = stackalloc double[2]; Dsl.Axpy(X0, y.Slice(0, 2), ax{n}); double aa{n} = Dsl.Sum(ax{n});",
        "span:Span<double> mp{n} = stackalloc double[2]; Dsl.Map(y.Slice(0, 2), mp{n}, Math.Tanh); double pp{n} = Dsl.SquaredNorm(mp{n});",
        "span:Span<double> tv{n} = stackalloc double[2]; Dsl.MatTVec(Dsl.Reshape(x.Slice(0, 2), 1, 2), y.Slice(0, 1), tv{n});",
        "span:Span<double> fl{n} = stackalloc double[2]; for (int k{n} = 0; k{n} < 2; k{n}++) { fl{n}[k{n}] = y[k{n}] * X0; }",
        "span:Span<double> wr{n} = stackalloc double[2]; double rr{n} = wr{n}[0]; wr{n}[1] += X0;",
        "span:Span<double> lo{n} = stackalloc double[2]; for (int k{n} = 0; k{n} < 2; k{n}++) { Dsl.Softmax(y.Slice(0, 2), lo{n}); } double la{n} = lo{n}[0];",
        "span:Span<double> al{n} = stackalloc double[2]; ReadOnlySpan<double> ro{n} = al{n};",
        "span:Span<double> bs{n} = stackalloc double[x.Length + (int)X0];", "span:Span<double> sp{n} = x.ToArray();",
        "span:ref readonly double rf{n} = ref x[0];", "ref double rd{n} = ref Arr0[0];",
        "span:Span<double> ow{n} = stackalloc double[2]; ow{n}[0] = X0; ow{n}[0] = Y0;",
    };

    public static readonly string[] Literals = { "0", "1", "2", "3", "0.5", "-1", "1e-3", "2.5", "0.0", "10" };

    public static readonly string[] Wrappers =
    {
        "Math.Sin({0})", "Math.Exp({0})", "Math.Abs({0})", "Math.Sqrt({0})", "Math.Log({0})", "Math.Max({0}, 0.5)",
        "Dsl.Sigmoid({0})", "(double)({0})", "-({0})", "Math.Round({0})", "Math.Floor({0})", "(int)({0})", "Math.Pow({0}, 2)",
        "Math.Tanh({0})", "DiffHelper0({0}, 1)", "Helper0({0})",
    };

    /// <summary>Pool entries usable for the model kind, with the "span:" marker removed.</summary>
    public static IReadOnlyList<string> For(IEnumerable<string> pool, ModelKind kind) =>
        pool.Where(e => kind == ModelKind.Span || !e.StartsWith("span:", StringComparison.Ordinal))
            .Select(e => e.StartsWith("span:", StringComparison.Ordinal) ? e["span:".Length..] : e)
            .ToList();

    /// <summary>Fills the placeholders for the model kind and the level being mutated.</summary>
    public static string Instantiate(string template, ModelKind kind, Level level, int unique)
    {
        bool span = kind == ModelKind.Span;
        string text = template
            .Replace("{n}", unique.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("OTHERLEVEL", level == Level.Upper ? "Lower" : "Upper", StringComparison.Ordinal)
            .Replace("XLEN", span ? "x.Length" : "Arr0.Length", StringComparison.Ordinal)
            .Replace("X0", span ? "x[0]" : "x", StringComparison.Ordinal)
            .Replace("Y0", span ? "y[0]" : "y", StringComparison.Ordinal);
        return System.Text.RegularExpressions.Regex.Replace(text, @"XI\((\w+)\)", m => span ? $"x[{m.Groups[1].Value}]" : $"x * Arr0[{m.Groups[1].Value}]");
    }
}
