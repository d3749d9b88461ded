namespace BilevelDsl.Tests.KnownAnswerSuite;

/// <summary>
/// The known-answer suite: bilevel problems from the literature with published optima. Every entry records its
/// source, the class of its lower level, the published optimal upper value, the optimum (x*, y*, F*) verified
/// here, and how: a closed-form derivation (in the entry's text) that the test
/// <see cref="KnownAnswerSuiteTests.RecordedOptimumIsVerified"/> confirms numerically, by re-solving the lower
/// level globally at x* and sweeping a grid of x over the stated box (plus a fine grid around x*) for any x whose
/// optimistic value F(x, y(x)) beats F*. "BOLIB" is Zhou, Zemkoho &amp; Tin, "BOLIB: Bilevel Optimization LIBrary
/// of test problems" (2020), which collects most of these with their published values; x and y are read as in
/// the original papers, u_j = -g_j for BOLIB's constraints g_j &gt;= 0.
/// </summary>
public static partial class KnownAnswerCatalogue
{
    /// <summary>Every problem of the suite.</summary>
    public static IReadOnlyList<KnownAnswerProblem> All { get; } = [.. Boxed(), .. Constrained(), .. OutrataFamily()];

    private static double[] V(params double[] v) => v;

    private static KnownAnswerProblem P(
        string id, string source, LowerClass lower, Func<IBilevelKernels> create,
        double[] xStar, double[] yStar, double fStar, double publishedF, double publishedTolerance,
        double[] xLo, double[] xHi, double[] yLo, double[] yHi, double[] x0, double[] y0, string verification) =>
        new(id, source, lower, create, xStar, yStar, fStar, publishedF, publishedTolerance, xLo, xHi, yLo, yHi, x0, y0, verification);

    private static IEnumerable<KnownAnswerProblem> Boxed()
    {
        const string Mb = "Mitsos & Barton, A test set for bilevel programs (MIT technical report, 2006), Example ";
        yield return P("MitsosBarton2006Ex3.10", Mb + "3.10 (BOLIB MitsosBarton2006Ex310)", LowerClass.Nonconvex, () => new MitsosBarton310(),
            V(1), V(0.5), 0.5, 0.5, 1e-9, V(0.1), V(1), V(-1), V(1), V(1), V(1),
            "x > 0 scales f, so S(x) = argmin of q(y) = 16y^4 + 2y^3 - 8y^2 - 1.5y + 0.5 on [-1, 1] for every x: q'(0.5) = 0, q(0.5) = -1 below the other local minimum and the ends; F = y = 0.5 for every x.");
        yield return P("MitsosBarton2006Ex3.11", Mb + "3.11 (BOLIB MitsosBarton2006Ex311)", LowerClass.Nonconvex, () => new MitsosBarton311(),
            V(0), V(-0.8), -0.8, -0.8, 1e-9, V(-1), V(1), V(-0.8), V(1), V(1), V(1),
            "x > 0: y = 0.5; x < 0: f is -|x| q, maximised q at y = 1; x = 0: every y solves, the optimistic y = -0.8 gives F = -0.8, attained only at x = 0.");
        yield return P("MitsosBarton2006Ex3.12", Mb + "3.12 (BOLIB MitsosBarton2006Ex312)", LowerClass.Nonconvex, () => new MitsosBarton312(),
            V(0), V(0), 0, 0, 1e-9, V(-1), V(1), V(-1), V(1), V(1), V(1),
            "x <= 0: y = 0, F = -x >= 0; x > 0: y = +-sqrt(x), F = 9x +- x^1.5 > 0; F* = 0 at x = 0.");
        yield return P("MitsosBarton2006Ex3.13", Mb + "3.13 (BOLIB MitsosBarton2006Ex313)", LowerClass.Nonconvex, () => new MitsosBarton313(),
            V(0), V(1), -1, -1, 1e-9, V(-1), V(1), V(-1), V(1), V(1), V(1),
            "x > 0: y = x^2, F = x - x^2 >= 0; x < 0: f concave, y = -1, F = x + 1 >= 0; x = 0: f = 0, optimistic y = 1, F = -1 (isolated).");
        yield return P("MitsosBarton2006Ex3.14", Mb + "3.14 (BOLIB MitsosBarton2006Ex314)", LowerClass.Nonconvex, () => new MitsosBarton314(),
            V(0.25), V(0.5), 0.25, 0.25, 1e-9, V(-1), V(1), V(-1), V(1), V(1), V(1),
            "S(x) compares y = sqrt(x) (f = -2/3 x^1.5) with y = -1 (f = x - 1/3): they tie at x = 1/4; x > 1/4 gives F = (x - 1/4)^2 + x > 1/4, x < 1/4 gives F > 1; optimistic y = 0.5 at x = 1/4.");
        yield return P("MitsosBarton2006Ex3.15", Mb + "3.15 (BOLIB MitsosBarton2006Ex315)", LowerClass.Nonconvex, () => new MitsosBarton315(),
            V(-1), V(1), 0, 0, 1e-9, V(-1), V(1), V(-1), V(1), V(1), V(1),
            "Candidates y = 1 (f = x/2 - 1/3), y = -1, y = 0, y = x: for x < 2/3 y = 1 and F = x + 1, for x > 2/3 y = 0 and F = x; F* = 0 at x = -1.");
        yield return P("MitsosBarton2006Ex3.16", Mb + "3.16 (BOLIB MitsosBarton2006Ex316)", LowerClass.Nonconvex, () => new MitsosBarton316(),
            V(-1), V(0), -2, -2, 1e-9, V(-1), V(1), V(-1), V(1), V(1), V(1),
            "x <= 0: f = |x| y^2/2 - y^4/4 is smallest at y = 0 when |x| >= 1/2 (else at y = +-1), so F = 2x >= -2 or 2x - 1 > -2; x > 0: F > -1. F* = -2 at x = -1, y = 0.");
        yield return P("MitsosBarton2006Ex3.17", Mb + "3.17 (BOLIB MitsosBarton2006Ex317)", LowerClass.Nonconvex, () => new MitsosBarton317(),
            V(-0.25), V(-0.5), 0.1875, 0.1875, 1e-9, V(-1), V(1), V(-1), V(1), V(1), V(1),
            "x < 0: y = +-sqrt(-x), F = (x + 1/2)^2 - x/2, minimal at x = -1/4 with F = 3/16; x >= 0: y = 0, F >= 1/4.");
        yield return P("MitsosBarton2006Ex3.19", Mb + "3.19 (BOLIB MitsosBarton2006Ex319)", LowerClass.Nonconvex, () => new MitsosBarton319(),
            V(0.1885804847), V(0.4342585459), -0.2580756165, -0.258, 5e-4, V(-1), V(1), V(-1), V(1), V(-1), V(1),
            "x <= 0: f = |x| y^2 + y^4/2, y = 0, F = 0; x > 0: y = +-sqrt(x) (f = -x^2/2), the optimistic y = s = sqrt(x) gives F = s^3 + s^2/2 - s, minimal at 3s^2 + s - 1 = 0, s = (sqrt(13) - 1)/6.");
        yield return P("MitsosBarton2006Ex3.20", Mb + "3.20 (BOLIB MitsosBarton2006Ex320)", LowerClass.Nonconvex, () => new MitsosBarton320(),
            V(0.5), V(0.5), 0.3125, 0.3125, 1e-9, V(-1), V(1), V(-1), V(1), V(1), V(1),
            "S(x) compares y = |x| (f = -2/3 |x|^3) with y = -1 (f = x^2 - 1/3): they tie at |x| = 1/2; |x| > 1/2 gives F > 5/16, |x| < 1/2 gives y = -1 and F > 1; optimistic y = 0.5 at x = 0.5.");
        yield return P("MitsosBarton2006Ex3.21", Mb + "3.21 (BOLIB MitsosBarton2006Ex321)", LowerClass.Nonconvex, () => new MitsosBarton321(),
            V(-0.5544554373), V(0.4554455437), 0.2095049505, 0.2095, 1e-4, V(-1), V(1), V(-1), V(1), V(1), V(1),
            "No closed form (a quartic in y with cubic coefficients in x): y(x) from the real roots of the cubic f_y = 0 and the ends, F minimised over a 2e-5 grid of x and refined (scipy); confirmed by the test's grid sweep with a global re-solve in y.");
        yield return P("MitsosBarton2006Ex3.22", Mb + "3.22 (BOLIB MitsosBarton2006Ex322)", LowerClass.Nonconvex, () => new MitsosBarton322(),
            V(-0.5544554373), V(0.4554455437), 0.2095049505, 0.2095, 1e-4, V(-1), V(1), V(-1), V(1), V(1), V(1),
            "3.21 with the nonconvex constraint y^2 >= (1 + x^2)/100, inactive at the solution of 3.21 (0.4554^2 > 0.0131): same optimum; grid sweep as for 3.21.");
        yield return P("MitsosBarton2006Ex3.24", Mb + "3.24 (BOLIB MitsosBarton2006Ex324)", LowerClass.Nonconvex, () => new MitsosBarton324(),
            V(0.2106621340), V(1.7990964615), -1.7547179268, -1.755, 5e-4, V(0), V(1), V(0), V(3), V(1), V(1),
            "f = t^2 >= 0 with t = x/2 + 1/2 - (x/10 - y + 1)^2, zero on y = 1 + x/10 +- sqrt(x/2 + 1/2); the optimistic (larger) root gives F = x^2 - 1 - x/10 - sqrt(x/2 + 1/2), minimal where 2x - 1/10 = 1/(4 sqrt(x/2 + 1/2)) (root by bisection).");
        foreach (KnownAnswerProblem p in BoxedOthers())
        {
            yield return p;
        }
    }
}
