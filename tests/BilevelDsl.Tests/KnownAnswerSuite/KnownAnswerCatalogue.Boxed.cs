namespace BilevelDsl.Tests.KnownAnswerSuite;

/// <summary>Problems with a free or box-constrained lower level (besides Mitsos &amp; Barton's).</summary>
public static partial class KnownAnswerCatalogue
{
    private static IEnumerable<KnownAnswerProblem> BoxedOthers()
    {
        yield return P("PaulaviciusAdjiman2017a", "Paulavicius & Adjiman (2017), test problem a (BOLIB PaulaviciusAdjiman2017a)", LowerClass.Nonconvex, () => new PaulaviciusAdjiman2017A(),
            V(0.5), V(0), 0.25, 0.25, 1e-9, V(-1), V(1), V(-1), V(1), V(1), V(1),
            "f = x y^2 - y^4/2: y = +-1 (f = x - 1/2) for x < 1/2, y = 0 (f = 0) for x > 1/2, tie at x = 1/2; F = x^2 + 1 or x^2, so F* = 1/4 at x = 1/2, y = 0.");
        yield return P("PaulaviciusAdjiman2017b", "Paulavicius & Adjiman (2017), test problem b (BOLIB PaulaviciusAdjiman2017b)", LowerClass.Nonconvex, () => new PaulaviciusAdjiman2017B(),
            V(-1), V(-1), -2, -2, 1e-9, V(-1), V(1), V(-1), V(1), V(1), V(1),
            "F = x + y >= -2 on the box, and at x = -1 f = -y^2/2 + y is smallest at y = -1 (f = -3/2 < 1/2 = f(1)): the bound is attained.");
        yield return P("KleniatiAdjiman2014Ex3", "Kleniati & Adjiman, Branch-and-Sandwich (J. Global Optim., 2014), Example 3 (BOLIB KleniatiAdjiman2014Ex3)", LowerClass.Nonconvex, () => new KleniatiAdjiman2014Ex3(),
            V(0), V(1), -1, -1, 1e-9, V(-1), V(1), V(-1), V(1), V(1), V(1),
            "x > 0: y = 1 (y^2/2 - y^3 smallest at 1), F = x - 1 > -1; x < 0: y = -1, F = x + 1 >= 0; x = 0: f = 0, optimistic y = 1, F = -1.");
        yield return P("MorganPatrone2006a", "Morgan & Patrone (2006), example a (BOLIB MorganPatrone2006a)", LowerClass.Convex, () => new MorganPatrone2006A(),
            V(0), V(1), -1, -1, 1e-9, V(-0.5), V(0.5), V(-1), V(1), V(1), V(1),
            "f = x y on [-1, 1]: y = -sign(x); F = -x - y = -x + 1 (x > 0) or -x - 1 > -1 (x < 0); x = 0: optimistic y = 1, F = -1.");
        yield return P("LucchettiEtal1987", "Lucchetti, Mignanego & Pieri (1987), example (BOLIB LucchettiEtal1987)", LowerClass.Convex, () => new LucchettiEtal1987(),
            V(1), V(0), 0, 0, 1e-9, V(0), V(1), V(0), V(1), V(1), V(1),
            "f = y (x - 1): y = 1 for x < 1, F = x/2 + 1/2 >= 1/2; x = 1: every y solves, optimistic y = 0, F = 0.");
        yield return P("Yezza1996Ex3.1", "Yezza, J. Optim. Theory Appl. 89 (1996), Example 3.1 (BOLIB Yezza1996Ex31)", LowerClass.Convex, () => new Yezza1996Ex31(),
            V(0.25), V(0), 1.5, 1.5, 1e-9, V(0), V(1), V(0), V(1), V(1), V(1),
            "f = y (4x - 1) - 2x - 2: y = 0 for x > 1/4 (F = 2x + 1), y = 1 for x < 1/4 (F = 4 - 2x); x = 1/4: optimistic y = 0, F = 3/2.");
        yield return P("Mirrlees1999", "Mirrlees, Rev. Econ. Stud. 66 (1999), the principal-agent example (BOLIB Mirrlees1999)", LowerClass.Nonconvex, () => new Mirrlees1999(),
            V(1), V(0.9575040256), 1.0018059, 1.002, 5e-4, V(-4), V(5), V(-2), V(2), V(1), V(1),
            "f is symmetric in y at x = 1, so the wells at y = +-0.9575040 tie there; for x < 1 the right well wins and F = (x - 2)^2 + (y(x) - 1)^2 decreases towards x = 1, for x > 1 the left well wins and F > 4; optimistic y = +0.9575040 at x = 1 (the well's location by a 1e-14 scalar minimisation); confirmed by the grid sweep.");
        yield return P("DeSilva1978", "De Silva, PhD thesis (1978), as in Falk & Liu (1995) (BOLIB DeSilva1978)", LowerClass.StronglyConvex, () => new DeSilva1978(),
            V(0.5, 0.5), V(0.5, 0.5), -1, -1, 1e-9, V(-1, -1), V(3, 3), V(0.5, 0.5), V(1.5, 1.5), V(0, 0), V(1, 1),
            "y = projection of x onto [0.5, 1.5]^2; per coordinate F = (x - 1)^2 + clip(x)^2 - 1, minimal (-1/2) at x = 0.5.");
        yield return P("HatzEtal2013", "Hatz, Schloeder & Bock (2013), example (BOLIB HatzEtal2013)", LowerClass.StronglyConvex, () => new HatzEtal2013(),
            V(0), V(0, 0), 0, 0, 1e-9, V(-3), V(3), V(0, 0), V(4, 4), V(1), V(1, 1),
            "y = (max(x, 0), 0), F = 2 max(x, 0) - x = |x|: F* = 0 at the kink x = 0.");
        yield return P("HendersonQuandt1958", "Henderson & Quandt, Microeconomic Theory (1958), Stackelberg duopoly (BOLIB HendersonQuandt1958)", LowerClass.StronglyConvex, () => new HendersonQuandt1958(),
            V(280.0 / 3), V(80.0 / 3), -3266.6666667, -3266.67, 0.01, V(0), V(200), V(0), V(120), V(0), V(0),
            "y = 50 - x/4 (interior), F = x (3x/8 - 70), minimal at x = 280/3, y = 80/3, F = -9800/3.");
        yield return P("MacalHurter1997", "Macal & Hurter (1997), example (BOLIB MacalHurter1997)", LowerClass.StronglyConvex, () => new MacalHurter1997(),
            V(50102.0 / 5002), V((50 * 50102.0 / 5002) - 500), 81.3278689, 81.327, 1e-3, V(5), V(15), V(-300), V(300), V(1), V(1),
            "y = 50x - 500, F = (x - 1)^2 + (50x - 501)^2, minimal at x = 50102/5002.");
        yield return P("LamparielloSagratella2017Ex3.2", "Lampariello & Sagratella, J. Optim. Theory Appl. (2017), Example 3.2 (BOLIB LamparielloSagratella2017Ex32)", LowerClass.StronglyConvex, () => new LamparielloSagratella2017Ex32(),
            V(0.5), V(0.5), 0.5, 0.5, 1e-9, V(-3), V(3), V(-4), V(4), V(1), V(1),
            "y = 1 - x, F = x^2 + (1 - x)^2, minimal at x = 1/2.");
        yield return P("BvfimSinToy", "Liu, Yuan, Zeng & Zhang, A value-function-based interior-point method for non-convex bi-level optimization (BVFIM), ICML 2021, Section 6.1 toy example with a = 2", LowerClass.Nonconvex, () => new BvfimSinToy(),
            V(3 * Math.PI / 4), V(3 * Math.PI / 4), 2 * (2 - (3 * Math.PI / 4)) * (2 - (3 * Math.PI / 4)), 0.253749, 1e-6, V(-2), V(6), V(-12), V(12), V(0), V(0),
            "S(x) = {y : x + y = 3pi/2 + 2k pi}; F = (x - 2)^2 + (y - 2)^2 is smallest on the line x + y = 3pi/2 at x = y = 3pi/4 (the other lines are farther from (2, 2)).");
        yield return P("BdaCounterexample", "Liu, Mu, Yuan, Zeng & Zhang, A generic first-order algorithmic framework for bi-level programming beyond lower-level singleton (BDA), ICML 2020, Section 2 counterexample", LowerClass.Convex, () => new BdaCounterexample(),
            V(1), V(1, 1), 0, 0, 1e-9, V(-3), V(3), V(-4, -4), V(4, 4), V(0), V(0, 0),
            "S(x) = {(x, t) : t in R}; F = (x - t)^2 + (x - 1)^2 >= 0 with equality at x = 1, t = 1.");
    }
}
