namespace BilevelDsl.Tests.KnownAnswerSuite;

/// <summary>Problems whose lower level has [LowerConstraint] inequality constraints.</summary>
public static partial class KnownAnswerCatalogue
{
    private const double Inf = double.PositiveInfinity;

    // The vertex of Outrata's polygon {y >= 0, y2 <= 0.333 y1 + 2, y1 <= 0.333 y2 + 2} on the diagonal.
    private static readonly double OutrataVertex = 2 / 0.667;

    private static IEnumerable<KnownAnswerProblem> Constrained()
    {
        yield return P("Bard1988Ex1", "Bard, Convex two-level optimization, Math. Program. 40 (1988), Example 1; Bard, Practical Bilevel Optimization (1998) (BOLIB Bard1988Ex1)", LowerClass.StronglyConvex, () => new Bard1988Ex1(),
            V(1), V(0), 17, 17, 1e-9, V(0), V(8), V(-1), V(8), V(4), V(0),
            "The lower level is feasible only for x >= 1 (y <= 3x - 3, y >= 0); y(x) = min(1 + 3x/4, 3x - 3, 7 - x), and on [1, 16/9] F = (x - 5)^2 + (6x - 5)^2 increases (F'(1) = 4); F* = 17 at x = 1, y = 0.");
        yield return P("ClarkWesterberg1990a", "Clark & Westerberg, Bilevel programming for steady-state chemical process design, Comput. Chem. Eng. 14 (1990), Example (BOLIB ClarkWesterberg1990a; also Sahin & Ciric 1998 Ex. 2)", LowerClass.StronglyConvex, () => new ClarkWesterberg1990A(),
            V(1), V(3), 5, 5, 1e-9, V(0), V(8), V(-1), V(8), V(1), V(1),
            "y(x) = min(2x + 1, 5, 7 - x/2); x <= 2: F = (x - 3)^2 + (2x - 1)^2, minimal at x = 1 (F = 5); x in [2, 4]: F >= 9; x >= 4: F >= 9.8.");
        yield return P("LamparielloSagratella2017Ex3.1", "Lampariello & Sagratella, A bridge between bilevel programs and Nash games, J. Optim. Theory Appl. 174 (2017), Example 3.1 (BOLIB LamparielloSagratella2017Ex31)", LowerClass.Convex, () => new LamparielloSagratella2017Ex31(),
            V(1), V(0), 1, 1, 1e-9, V(1), V(5), V(-5), V(1), V(1), V(1),
            "f = y on y >= 1 - x: y = 1 - x, F = x^2 + (1 - x)^2 increasing on x >= 1: F* = 1 at x = 1.");
        yield return P("LamparielloSagratella2017Ex3.5", "Lampariello & Sagratella (2017), Example 3.5 (BOLIB LamparielloSagratella2017Ex35)", LowerClass.Convex, () => new LamparielloSagratella2017Ex35(),
            V(0.8), V(0.4), 0.8, 0.8, 1e-9, V(-1), V(1), V(0), V(1), V(1), V(1),
            "y(x) = min(1, 2 - 2x); x <= 1/2: F = x^2 + 1 >= 1; x >= 1/2: F = x^2 + (2 - 2x)^2, minimal at x = 0.8 (F = 0.8).");
        yield return P("TuyEtal2007", "Tuy, Migdalas & Hoai-Phuong, A novel approach to bilevel nonlinear programming, J. Global Optim. 38 (2007), Example (BOLIB TuyEtal2007; the upper constraint y >= 0 is dropped, see text)", LowerClass.Convex, () => new TuyEtal2007(),
            V(4.5), V(1.5), 22.5, 22.5, 1e-9, V(0), V(8), V(-10), V(8), V(5), V(0),
            "y(x) = min(15 - 3x, 7 - x, 5 - x/3); the three pieces give F = x^2 + y^2 minimal 22.5 at x = 1.5 (y = 4.5) and at x = 4.5 (y = 1.5), 24.5 on the middle piece; y(x) < 0 only for x > 5 where F > 25, so the dropped upper constraint y >= 0 does not change the optimum.");
        yield return P("Vogel2012", "Vogel (2012), as collected in BOLIB (BOLIB Vogel2012)", LowerClass.Nonconvex, () => new Vogel2012(),
            V(-2), V(-2), 1, 1, 1e-9, V(-3), V(2), V(-3), V(3), V(1), V(1),
            "y^3 - 3y on y >= x: the local minimiser y = 1 (f = -2) competes with the boundary y = x (f = x^3 - 3x < -2 iff x < -2); x < -2: F = (x + 1)^2 > 1; x in (-2, 1]: y = 1, F = 4; x = -2: tie, optimistic y = -2, F = 1.");
        yield return P("YeZhu2010Ex4.2", "Ye & Zhu, New necessary optimality conditions for bilevel programs by combining the MPEC and value function approaches, SIAM J. Optim. 20 (2010), Example 4.2 (BOLIB YeZhu2010Ex42)", LowerClass.Nonconvex, () => new YeZhu2010Ex42(),
            V(1), V(1), 1, 1, 1e-9, V(-3), V(2), V(-3), V(3), V(-1), V(-1),
            "Lower level as Vogel2012: x in (-2, 1]: y = 1, F = (x - 1)^2 + 1, minimal at x = 1; x <= -2: F >= 13; x > 1: y = x, F = (x - 1)^2 + x^2 > 1.");
        yield return P("YeZhu2010Ex4.3", "Ye & Zhu (2010), Example 4.3 (BOLIB YeZhu2010Ex43)", LowerClass.Nonconvex, () => new YeZhu2010Ex43(),
            V(1), V(1), 1.25, 1.25, 1e-9, V(0), V(4), V(-3), V(3), V(-1), V(-1),
            "y^3 - 3y on y >= x - 3: x < 1: y = x - 3, F >= 16; x in [1, 4]: y = 1 (optimistic at the tie x = 1), F = (x - 1/2)^2 + 1, minimal at x = 1.");
        yield return P("Yezza1996Ex4.1", "Yezza, First-order necessary optimality conditions for general bilevel programming problems, J. Optim. Theory Appl. 89 (1996), Example 4.1 (BOLIB Yezza1996Ex41)", LowerClass.StronglyConvex, () => new Yezza1996Ex41(),
            V(3), V(1), 0.5, 0.5, 1e-9, V(0), V(6), V(0), V(6), V(-1), V(-1),
            "y(x) = min(1, x) for x >= 0; x >= 1: F = (3 - x)^2/2 + 1/2, minimal at x = 3; x < 1: F = 2 + (x - 2)^2/2 > 2.");
        yield return P("FloudasZlobec1998", "Floudas & Zlobec, Optimality and duality in parametric convex lexicographic programming (1998), example (BOLIB FloudasZlobec1998)", LowerClass.Convex, () => new FloudasZlobec1998(),
            V(1), V(0, 1), 1, 1, 1e-9, V(0.1), V(1), V(-1, 0), V(1, 10.5), V(1), V(1, 1),
            "Maximise y2 subject to y1^2 + x y2 <= 1: y1 = 0, y2 = min(100, 1/x); F = 1/x for x >= 0.01 (minimal at x = 1) and F >= 99.99 below. The grid sweep covers x in [0.1, 1] (F >= 10 below 0.1 by the closed form).");
        yield return P("LamparielloSagratella2017Ex3.3", "Lampariello & Sagratella (2017), Example 3.3 (BOLIB LamparielloSagratella2017Ex33)", LowerClass.Convex, () => new LamparielloSagratella2017Ex33(),
            V(0.5), V(0, 0.5), 0.5, 0.5, 1e-9, V(0.5), V(3), V(0, 0), V(3, 3), V(1), V(1, 1),
            "S(x) = {y1 = 0, y2 >= 1 - x}; optimistic y2 = max(0, 1 - x); F = (1 - x)^2 + x^2 on [1/2, 1], minimal at x = 1/2.");
        yield return P("Bard1991Ex1", "Bard, Some properties of the bilevel programming problem, J. Optim. Theory Appl. 68 (1991), Example 1 (BOLIB Bard1991Ex1)", LowerClass.Convex, () => new Bard1991Ex1(),
            V(2), V(6, 0), 2, 2, 1e-9, V(2), V(4), V(0, 0), V(9, 9), V(1), V(1, 1),
            "min 2 y1 + x y2 on y1 + y2 >= x + 4, y >= 0: for x > 2 y = (x + 4, 0), F = x > 2; at x = 2 every split solves, optimistic y2 = 0, F = 2.");
        yield return P("DempeFranke2011Ex4.1", "Dempe & Franke (2011), Example 4.1 (BOLIB DempeFranke2011Ex41)", LowerClass.Convex, () => new DempeFranke2011Ex41(),
            V(0, -1), V(1, 2), 5, 5, 1e-9, V(-1, -1), V(1, -1), V(-1, -1), V(3, 3), V(1, 1), V(1, 1),
            "x2 = -1: min x1 y1 - y2 on 2 y1 >= y2, y1 <= 2, 0 <= y2 <= 2; x1 > 0: y = (1, 2), F = x1 + 5; x1 < 0: y = (2, 2), F = x1 + 8 >= 7; x1 = 0: optimistic y = (1, 2), F = 5.");
        yield return P("AllendeStill2013", "Allende & Still, Solving bilevel programs with the KKT-approach, Math. Program. 138 (2013), Example (BOLIB AllendeStill2013)", LowerClass.StronglyConvex, () => new AllendeStill2013(),
            V(0.5, 0.5), V(0.5, 0.5), 1, 1, 1e-9, V(0, 0), V(2, 3), V(0, 0), V(2, 2), V(0, 0), V(0, 0),
            "y = projection of x onto [0.5, 1.5]^2 (the constraints (y_i - 1)^2 <= 1/4); per coordinate F = (x - 1)^2 + clip(x)^2, minimal (1/2) at x = 1/2.");
        yield return P("NieWangYe2017Ex3.4", "Nie, Wang & Ye, Bilevel polynomial programs and semidefinite relaxation methods, SIAM J. Optim. 27 (2017), Example 3.4 (BOLIB NieWangYe2017Ex34)", LowerClass.Nonconvex, () => new NieWangYe2017Ex34(),
            V(2), V(0, 0), 2, 2, 1e-9, V(2), V(3), V(-1, -1), V(1, 1), V(1), V(1, 1),
            "x > 0 minimises y1 + y2 over the right lobe of the lemniscate (y1^2 + y2^2)^2 <= y1^2 - y2^2; on its boundary y1 + y2 = sqrt(cos 2t)(cos t + sin t) >= 0, so y = 0 and F = x, minimal at x = 2.");
    }

    private static IEnumerable<KnownAnswerProblem> OutrataFamily()
    {
        double v = OutrataVertex;
        double vertexF = (0.5 * (v - 3) * (v - 3)) + (0.5 * (v - 4) * (v - 4));
        const string O90 = "Outrata, On the numerical solution of a class of Stackelberg problems, ZOR 34 (1990), Example ";
        yield return P("Outrata1990Ex1a", O90 + "1(a) (BOLIB Outrata1990Ex1a)", LowerClass.StronglyConvex, () => new Outrata1990Ex1A(),
            V(1.03145523, 3.09759352), V(2.59702673, 1.79287308), -8.9172031, -8.92, 5e-3, V(-5, -5), V(10, 10), V(0, 0), V(3.2, 3.2), V(0, 0), V(3, 3),
            "Strongly convex QP lower level (Hessian [[1, -2], [-2, 5]]) on a polygon; no closed form: minimised over x with a convex lower-level solver (SLSQP), confirmed by the test's grid sweep.");
        yield return P("Outrata1990Ex1c", O90 + "1(c) (BOLIB Outrata1990Ex1c)", LowerClass.StronglyConvex, () => new Outrata1990Ex1C(),
            V(4 * v, 13 * v), V(v, v), vertexF - 12.5, -12, 2e-3, V(0, 0), V(50, 50), V(0, 0), V(3.2, 3.2), V(0, 0), V(3, 3),
            "F depends on y only and is smallest over the lower-level polygon at its vertex (v, v), v = 2/0.667, nearest to (3, 4); x = H (v, v) makes that vertex the unconstrained lower-level minimiser. BOLIB's -12 is F* rounded.");
        yield return P("Outrata1990Ex1d", O90 + "1(d) (BOLIB Outrata1990Ex1d)", LowerClass.StronglyConvex, () => new Outrata1990Ex1D(),
            V(2, 0), V(2, 0), -3.6, -3.6, 1e-9, V(-5, -5), V(10, 10), V(0, 0), V(3.2, 3.2), V(6, -3), V(3, 3),
            "At x = (2, 0) the lower-level KKT conditions hold at y = (2, 0) with y1 <= 0.333 y2 + 2 and y2 >= 0 active; F = 1/2 + 8 + 0.4 - 12.5 = -3.6; global over the box by the grid sweep.");
        yield return P("Outrata1990Ex2a", O90 + "2(a) (BOLIB Outrata1990Ex2a)", LowerClass.StronglyConvex, () => new Outrata1990Ex2A(),
            V(5), V(v, v), vertexF, 0.5, 2e-3, V(0), V(10), V(0, 0), V(3.2, 3.2), V(1), V(1, 1),
            "F depends on y only; its minimum over the polygon is at the vertex (v, v), which is the lower-level solution for x = 5 (KKT multipliers 4.75 and 8.25). BOLIB's 0.5 is F* rounded.");
        yield return P("Outrata1990Ex2b", O90 + "2(b) (BOLIB Outrata1990Ex2b)", LowerClass.Convex, () => new Outrata1990Ex2B(),
            V(0), V(v, v), vertexF, 0.5, 2e-3, V(0), V(10), V(0, 0), V(3.2, 3.2), V(5), V(0, 0),
            "F depends on y only and is smallest over the polygon at its vertex (v, v); at x = 0, f = y1^2/2 - 3 y1 wants y1 as close to 3 as the polygon allows, and the largest feasible y1 is v, reached only at y = (v, v). BOLIB's 0.5 is F* rounded.");
        yield return P("Outrata1990Ex2c", O90 + "2(c) (BOLIB Outrata1990Ex2c)", LowerClass.StronglyConvex, () => new Outrata1990Ex2C(),
            V(3.45616219), V(1.70708877, 2.56846056), 1.8604623, 1.86, 5e-3, V(0), V(10), V(0, 0), V(3.2, 3.2), V(0), V(0, 0),
            "No closed form: minimised over x with a convex lower-level solver (SLSQP), confirmed by the grid sweep.");
        yield return P("Outrata1990Ex2e", O90 + "2(e) (BOLIB Outrata1990Ex2e)", LowerClass.StronglyConvex, () => new Outrata1990Ex2E(),
            V(3.99852144), V(1.66500998, 3.88721195), 0.8974597, 0.9, 5e-3, V(0), V(10), V(0, 0), V(8, 8), V(0), V(0, 0),
            "No closed form: minimised over x with a convex lower-level solver (SLSQP), confirmed by the grid sweep.");
        yield return P("Outrata1993Ex3.1", "Outrata, Necessary optimality conditions for Stackelberg problems, J. Optim. Theory Appl. 76 (1993), Example 3.1 (BOLIB Outrata1993Ex31)", LowerClass.StronglyConvex, () => new Outrata1993Ex31(),
            V(1.90951797), V(2.97858787, 2.23215126), 1.5628738, 1.56, 5e-3, V(0), V(10), V(0, 0), V(8, 8), V(0), V(0, 0),
            "No closed form: minimised over x with a convex lower-level solver (SLSQP), confirmed by the grid sweep.");
        yield return P("Outrata1994Ex3.1", "Outrata, On optimization problems with variational inequality constraints, SIAM J. Optim. 4 (1994), Example 3.1 (BOLIB Outrata1994Ex31)", LowerClass.StronglyConvex, () => new Outrata1994Ex31(),
            V(4.06040632), V(2.68224442, 1.48714676), 3.2077000, 3.208, 1e-3, V(0), V(10), V(0, 0), V(3.2, 3.2), V(0), V(0, 0),
            "No closed form (a disc constraint): minimised over x with a convex lower-level solver (SLSQP), confirmed by the grid sweep.");
        yield return P("OutrataCervinka2009", "Outrata & Cervinka (2009), example (BOLIB OutrataCervinka2009)", LowerClass.StronglyConvex, () => new OutrataCervinka2009(),
            V(0, 2), V(-1, -1), 0, 0, 1e-9, V(-3, -3), V(0, 3), V(-5, -5), V(5, 0), V(1, 1), V(1, 1),
            "At x = (0, 2) the unconstrained lower-level minimiser (-1 - x1, 1 - x2) = (-1, -1) is feasible (on y1 = y2), so y = (-1, -1), F = -1 + 1 = 0; global over the box by the grid sweep.");
        yield return P("MuuQuy2003Ex1", "Muu & Quy, A global optimization method for solving convex quadratic bilevel programming problems, J. Global Optim. 26 (2003), Example 1 (BOLIB MuuQuy2003Ex1)", LowerClass.StronglyConvex, () => new MuuQuy2003Ex1(),
            V(11.0 / 13), V(10.0 / 13, 0), -27.0 / 13, -2.0769, 1e-4, V(0), V(2), V(0, 0), V(5, 5), V(2), V(0, 0),
            "Minimised over x with a convex lower-level solver (SLSQP): x = 0.8461427 ~ 11/13, y = (10/13, 0) (y2 >= 0 and the coupled constraint active), F = -27/13; confirmed by the grid sweep.");
        yield return P("SinhaMaloDeb2014TP6", "Sinha, Malo & Deb, Test problem construction for single-objective bilevel optimization, Evol. Comput. 22 (2014), TP6 (BOLIB SinhaMaloDeb2014TP6)", LowerClass.StronglyConvex, () => new SinhaMaloDeb2014Tp6(),
            V(17.0 / 9), V(8.0 / 9, 0), -98.0 / 81, -1.209, 1e-3, V(0), V(3), V(0, 0), V(2.4, 3), V(1), V(1, 1),
            "Minimised over x with a convex lower-level solver (SLSQP): x = 17/9, y = (8/9, 0) (y2 >= 0 and 4 y1 - 4x + 5 y2 <= 4 active), F = -98/81; confirmed by the grid sweep.");
        yield return P("Colson2002BIPA5", "Colson, BIPA (BIlevel Programming with Approximation methods), technical report (2002), problem BIPA5 (BOLIB Colson2002BIPA5)", LowerClass.StronglyConvex, () => new Colson2002Bipa5(),
            V(1.94052906), V(0, 1.21099577), 2.7497676, 2.75, 1e-3, V(0), V(3), V(0, 0), V(4, 2), V(1), V(1, 1),
            "y1 = 0 (the y1 terms increase), y2 = min(3/2, log(15 - 6x)); F = (x - y2)^4 + y2^2 + 1 minimised over x (SLSQP lower level): x = 1.9405; confirmed by the grid sweep.");
    }
}
