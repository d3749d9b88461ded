using BilevelDsl.GeneratorTests.Harness;
using Verdict = BilevelDsl.Generators.Analysis.ConvexityVerdict;

namespace BilevelDsl.GeneratorTests.Convexity;

/// <summary>One lower level of the convexity table: its body (and data, constraints), the verdict the analysis must give,
/// whether that verdict rests on a PSD check of data, and a word the reason must contain.</summary>
internal sealed record ConvexityCase(string Name, string Class, ModelKind Kind, string Lower, Verdict Expected, bool Conditional = false,
    string Members = "", string Constructor = "", string ReasonContains = "")
{
    public ModelSpec Model => new()
    {
        Name = Name,
        Kind = Kind,
        Upper = Kind == ModelKind.Scalar ? "=> (x - 1) * (x - 1) + y * y;" : "=> Dsl.SquaredNorm(x) + Dsl.SquaredNorm(y);",
        Lower = Lower,
        Members = Members,
        PrimaryConstructor = Constructor,
        Namespace = "ConvexityTable",
    };

    public override string ToString() => Name;
}

/// <summary>The table of acceptance 2 of issue 13 (also in docs/convexity.md): lower levels with their expected verdicts.</summary>
internal static class ConvexityCases
{
    private const ModelKind S = ModelKind.Scalar;
    private const ModelKind V = ModelKind.Span;
    private const string Ab = "(Matrix A, double[] b)";
    private const string Q = "(Matrix Q)";

    public static readonly ConvexityCase[] All =
    [
        // Affine: convex, not strongly.
        new("A01", "affine", S, "=> 3 * y - x * y + 1;", Verdict.Convex, ReasonContains: "affine"),
        new("A02", "affine", V, "=> Dsl.Dot(x, y) + Dsl.Sum(y);", Verdict.Convex, ReasonContains: "affine"),
        new("A03", "affine", V, "=> Dsl.Dot(b, y) - b[0];", Verdict.Convex, Constructor: Ab, ReasonContains: "affine"),
        new("A04", "affine", V, "{ double s = 0; for (int i = 0; i < y.Length; i++) { s += b[i] * y[i]; } return s; }", Verdict.Convex, Constructor: Ab),
        new("A05", "affine", V, "{ Span<double> r = stackalloc double[A.Rows]; Dsl.MatVec(A, y, r); return Dsl.Sum(r); }", Verdict.Convex, Constructor: Ab),

        // Convex by composition.
        new("C01", "convex", S, "=> Math.Exp(y) + x * y;", Verdict.Convex),
        new("C02", "convex", V, "=> Dsl.LogSumExp(y) - y[0];", Verdict.Convex),
        new("C03", "convex", V, "{ double loss = 0; for (int i = 0; i < A.Rows; i++) { loss += Dsl.Softplus(-b[i] * Dsl.Dot(A.Row(i), y)); } return loss; }", Verdict.Convex, Constructor: Ab),
        new("C04", "convex", S, "=> Math.Abs(y - x);", Verdict.Convex),
        new("C05", "convex", S, "=> Math.Max(y, 0.0) + Math.Max(-y, x);", Verdict.Convex),
        new("C06", "convex", V, "=> Dsl.Norm1(y) + x[0] * y[1];", Verdict.Convex),
        new("C07", "convex", S, "=> Math.Pow(y - x, 4);", Verdict.Convex),
        new("C08", "convex", V, "{ Span<double> z = stackalloc double[A.Rows]; Dsl.MatVec(A, y, z); return Dsl.SoftmaxCrossEntropy(z, 0); }", Verdict.Convex, Constructor: Ab),
        new("C09", "convex", V, "{ Span<double> r = stackalloc double[A.Rows]; Dsl.MatVec(A, y, r); Dsl.Axpy(-1.0, b, r); return Dsl.SquaredNorm(r); }", Verdict.Convex, Constructor: Ab),
        new("C10", "convex", V, "=> Math.Exp(x[0]) * Dsl.Norm1(y);", Verdict.Convex),
        new("C11", "convex", S, "=> -Math.Log(y) + x * y;", Verdict.Convex),
        new("C12", "convex", S, "=> Math.Pow(Math.Exp(y), 1.5);", Verdict.Convex),
        new("C13", "convex", S, "{ if (x > 0) { return y * y; } return Math.Abs(y); }", Verdict.Convex),
        new("C14", "convex", S, "=> Dsl.Relu(y - x) + Dsl.Hinge(x * y);", Verdict.Convex),
        new("C15", "convex", V, "{ double s = 0; for (int i = 0; i < y.Length; i++) { s += Math.Exp(y[i] - x[0]); } return s; }", Verdict.Convex),
        new("C16", "convex", S, "=> -Math.Log10(y) + x * y;", Verdict.Convex),
        new("C17", "convex", V, "{ double loss = 0; for (int i = 0; i < A.Rows; i++) { double r = Dsl.Dot(A.Row(i), y) - b[i]; loss += r * Math.Exp(x[0]) * r; } return loss; }", Verdict.Convex, Constructor: Ab),

        // Strongly convex.
        new("S01", "strongly convex", S, "=> (y - x) * (y - x);", Verdict.StronglyConvex),
        new("S02", "strongly convex", V, "=> Dsl.SquaredNorm(y) - 2 * Dsl.Dot(x, y);", Verdict.StronglyConvex),
        new("S03", "strongly convex", V, "{ double loss = 0; for (int i = 0; i < A.Rows; i++) { double r = Dsl.Dot(A.Row(i), y) - b[i]; loss += r * r; } return loss + Math.Exp(x[0]) * Dsl.SquaredNorm(y); }", Verdict.StronglyConvex, Constructor: Ab),
        new("S04", "strongly convex", V, "{ double s = 0; for (int i = 0; i < y.Length; i++) { s += (y[i] - x[i]) * (y[i] - x[i]); } return s; }", Verdict.StronglyConvex),
        new("S05", "strongly convex", S, "=> 0.5 * y * y + Math.Exp(y) + Math.Abs(y);", Verdict.StronglyConvex),
        new("S06", "strongly convex", S, "=> Math.Pow(y - 1, 2) + x * y;", Verdict.StronglyConvex),
        new("S07", "strongly convex", V, "{ double loss = 0; for (int i = 0; i < A.Rows; i++) { loss += Dsl.Softplus(-b[i] * Dsl.Dot(A.Row(i), y)); } return loss + 1e-3 * Dsl.SquaredNorm(y); }", Verdict.StronglyConvex, Constructor: Ab),
        new("S08", "strongly convex", V, "{ int n = y.Length; double s = 0; for (int i = 0; i < n; i++) { s += 2.0 * y[i] * y[i]; } return s; }", Verdict.StronglyConvex),
        new("S09", "strongly convex", S, "=> Math.Exp(x) * y * y - x * y;", Verdict.StronglyConvex),
        new("S10", "strongly convex", S, "=> (y - 1) * (y + 2) + Dsl.Softplus(y);", Verdict.StronglyConvex),
        new("S11", "strongly convex", V, "{ double loss = 0; for (int i = 0; i < A.Rows; i++) { loss += Dsl.Softplus(-b[i] * Dsl.Dot(A.Row(i), y)); } return loss / A.Rows + 1e-3 * Dsl.SquaredNorm(y); }", Verdict.StronglyConvex, Constructor: Ab),
        new("S12", "strongly convex", V, "{ double loss = 0; for (int i = 0; i < A.Rows; i++) { double r = Dsl.Dot(A.Row(i), y) - b[i]; loss += Math.Exp(x[0]) * r * r; } return loss + 1e-3 * Dsl.SquaredNorm(y); }", Verdict.StronglyConvex, Constructor: Ab),

        // Nonconvex (provably: strictly concave in y plus affine terms).
        new("N01", "nonconvex", S, "=> -y * y;", Verdict.Nonconvex),
        new("N02", "nonconvex", V, "=> Dsl.Dot(x, y) - Dsl.SquaredNorm(y);", Verdict.Nonconvex),
        new("N03", "nonconvex", S, "=> Math.Sqrt(y) + x * y;", Verdict.Nonconvex),
        new("N04", "nonconvex", S, "=> x * y - y * y * 3;", Verdict.Nonconvex),
        new("N05", "nonconvex", V, "{ double s = 0; for (int i = 0; i < y.Length; i++) { s -= y[i] * y[i]; } return s; }", Verdict.Nonconvex),
        new("N06", "nonconvex", S, "=> -Math.Exp(y);", Verdict.Nonconvex),
        new("N07", "nonconvex", S, "=> Math.Log(1 + y) - x * y;", Verdict.Nonconvex),
        new("N08", "nonconvex", V, "=> -(y[0] - x[0]) * (y[0] + x[0]);", Verdict.Nonconvex),
        new("N09", "nonconvex", S, "=> Math.Log10(1 + y) - x * y;", Verdict.Nonconvex),

        // Unknown: the rules do not decide (some of these are nonconvex, some convex: never called Convex).
        new("U01", "unknown (nonconvex)", S, "=> Math.Sin(x + y);", Verdict.Unknown, ReasonContains: "Math.Sin"),
        new("U02", "unknown (nonconvex)", S, "=> y * y * y * y - y * y;", Verdict.Unknown),
        new("U03", "unknown (nonconvex)", S, "=> Dsl.Sigmoid(y) * 2;", Verdict.Unknown, ReasonContains: "Dsl.Sigmoid"),
        new("U04", "unknown (convex iff x >= 0)", S, "=> x * y * y;", Verdict.Unknown),
        new("U05", "unknown (convex, not DCP)", S, "=> Math.Sqrt(1 + y * y);", Verdict.Unknown),
        new("U06", "unknown (nonconvex)", S, "{ if (y > 0) { return y * y; } return 0.0; }", Verdict.Unknown, ReasonContains: "branch"),
        new("U07", "unknown (nonconvex)", S, "=> Math.Tanh(y) * x;", Verdict.Unknown),
        new("U08", "unknown (nonconvex)", S, "=> y * y - Math.Exp(y);", Verdict.Unknown),
        new("U09", "unknown (helper)", S, "=> Sq(y - x);", Verdict.Unknown, Members: "[Differentiable] private static double Sq(double t) => t * t;", ReasonContains: "helper"),
        new("U10", "unknown (indefinite)", V, "=> Dsl.Dot(y.Slice(0, 1), y.Slice(1, 1));", Verdict.Unknown),
        new("U11", "unknown (scale of unknown sign)", V, "=> x[0] * Dsl.SquaredNorm(y);", Verdict.Unknown, ReasonContains: "unknown sign"),
        new("U12", "unknown (indefinite for x <= 0)", V, "{ double t; if (x[0] > 0) { t = y[0]; } else { t = y[1]; } return t * y[0]; }", Verdict.Unknown),
        new("U13", "unknown (indefinite)", V, "{ Span<double> v = stackalloc double[y.Length]; for (int k = 0; k < y.Length; k++) { v[k] = 2 * y[k]; } return v[0] * v[1]; }", Verdict.Unknown),
        new("U14", "unknown (piecewise)", S, "{ if (y > 5) { return 0.0; } return y * y; }", Verdict.Unknown, ReasonContains: "branch"),

        // Quadratic forms y'Qy with Q data: convex if Q's symmetric part is PSD, decided on the data at run time.
        new("P01", "PSD-dependent", V, "{ Span<double> v = stackalloc double[y.Length]; Dsl.MatVec(Q, y, v); return 0.5 * Dsl.Dot(y, v) - Dsl.Dot(x, y); }", Verdict.Convex, Conditional: true, Constructor: Q),
        new("P02", "PSD-dependent", V, "{ double s = 0; for (int i = 0; i < y.Length; i++) { for (int j = 0; j < y.Length; j++) { s += y[i] * Q[i, j] * y[j]; } } return s; }", Verdict.Convex, Conditional: true, Constructor: Q),
        new("P03", "PSD-dependent", V, "{ double s = 0; for (int i = 0; i < Q.Rows; i++) { for (int j = 0; j < Q.Columns; j++) { s += Q[i, j] * y[i] * y[j]; } } return s + Dsl.Dot(x, y); }", Verdict.Convex, Conditional: true, Constructor: Q),
        new("P04", "PSD-dependent", V, "{ Span<double> v = stackalloc double[y.Length]; Dsl.MatVec(Q, y, v); return Dsl.Dot(v, y) + Dsl.SquaredNorm(y); }", Verdict.StronglyConvex, Conditional: true, Constructor: Q),
        new("P05", "unknown (negated form)", V, "{ Span<double> v = stackalloc double[y.Length]; Dsl.MatVec(Q, y, v); return -Dsl.Dot(y, v); }", Verdict.Unknown, Constructor: Q),
        new("P06", "unknown (partial form)", V, "{ double s = 0; for (int i = 0; i < y.Length; i++) { for (int j = 0; j < 2; j++) { s += y[i] * Q[i, j] * y[j]; } } return s; }", Verdict.Unknown, Constructor: Q),
        new("P07", "convex (all-ones form)", V, "{ double s = 0; for (int i = 0; i < y.Length; i++) { for (int j = 0; j < y.Length; j++) { s += y[i] * y[j]; } } return s; }", Verdict.Convex),

        // Constraints g(x, y) <= 0: the lower level is convex only if every g is convex in y.
        new("K01", "strongly convex, convex constraint", S, "=> (y - x) * (y - x);", Verdict.StronglyConvex, Members: "[LowerConstraint] public double Disk(double x, double y) => y * y - 1;"),
        new("K02", "unknown (nonconvex set)", S, "=> (y - x) * (y - x);", Verdict.Unknown, Members: "[LowerConstraint] public double Outside(double x, double y) => 1 - y * y;", ReasonContains: "Outside"),
        new("K03", "strongly convex, linear constraint", S, "=> (y - x) * (y - x);", Verdict.StronglyConvex, Members: "[LowerConstraint] public double Line(double x, double y) => x + y - 2;"),
        new("K04", "nonconvex, convex constraint", S, "=> -y * y;", Verdict.Nonconvex, Members: "[LowerConstraint] public double Box(double x, double y) => y * y - 4;"),
        new("K05", "convex, exp constraint", V, "=> Dsl.Sum(y);", Verdict.Convex, Members: "[LowerConstraint] public double Budget(ReadOnlySpan<double> x, ReadOnlySpan<double> y) => Dsl.LogSumExp(y) - x[0];"),
        new("K06", "unknown (projection set)", V, "=> Dsl.SquaredNorm(y);", Verdict.Unknown,
            Members: "[LowerProjection] public void Keep(Span<double> v) { for (int i = 0; i < v.Length; i++) { v[i] = Math.Max(v[i], 0); } }", ReasonContains: "LowerProjection"),
    ];
}
