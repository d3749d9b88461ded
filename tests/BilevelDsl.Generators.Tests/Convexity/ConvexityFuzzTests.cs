using BilevelDsl.Generators.Ir;
using BilevelDsl.GeneratorTests.RuleTable;
using Xunit;
using Analysis = BilevelDsl.Generators.Analysis.ConvexityAnalysis;
using Verdict = BilevelDsl.Generators.Analysis.ConvexityVerdict;

namespace BilevelDsl.GeneratorTests.Convexity;

/// <summary>
/// Random bodies never crash the convexity analysis, and what it proves holds: on random scalar expression trees over
/// x, y and a data value, a Convex or StronglyConvex verdict passes a numerical midpoint-convexity test in y and a
/// Nonconvex verdict a midpoint-concavity test (it is strictly concave plus affine), wherever the function is finite.
/// Random statement structures (branches, loops, vectors, derivative-only statements, nesting past the depth limit)
/// only need to give a verdict.
/// </summary>
public sealed class ConvexityFuzzTests
{
    private static readonly ScalarFunction[] Functions = Enum.GetValues<ScalarFunction>()
        .Where(f => Primitives.Of(f).Smoothness != Smoothness.Integer).ToArray();

    private static readonly double[] Exponents = { 2, 3, 4, 0.5, 1.5, -1, 1, 0 };

    [Fact]
    public void Verdicts_on_random_scalar_expressions_hold_numerically()
    {
        var rng = new Random(20261206);
        int proven = 0, nonconvex = 0;
        for (int n = 0; n < 4000; n++)
        {
            Expr body = RandomExpr(rng, 5);
            var function = new Function("Lower", EquatableArray.From(new[] { new Parameter("x", ParameterKind.Scalar), new Parameter("y", ParameterKind.Scalar) }),
                EquatableArray.From(new[] { new DataSymbol("this.d", "this.d", DataKind.Double) }), new Block(EquatableArray.From(new Stmt[] { new Return(body) })));
            Verdict verdict = Analysis.Analyze(function, isConstraint: false).Verdict;
            if (verdict is Verdict.Convex or Verdict.StronglyConvex)
            {
                proven++;
                CheckMidpoints(rng, body, convex: true, verdict);
            }
            else if (verdict == Verdict.Nonconvex)
            {
                nonconvex++;
                CheckMidpoints(rng, body, convex: false, verdict);
            }
        }

        Assert.True(proven >= 200 && nonconvex >= 20, $"the generator of random bodies is too weak: {proven} convex, {nonconvex} nonconvex verdicts");
    }

    [Fact]
    public void Random_statement_structures_never_crash_it()
    {
        var rng = new Random(7);
        for (int n = 0; n < 1500; n++)
        {
            var statements = new List<Stmt>();
            for (int s = 0; s < rng.Next(1, 12); s++)
            {
                statements.Add(RandomStatement(rng, 3));
            }

            statements.Add(new Return(RandomExpr(rng, 4)));
            var function = new Function("Lower", EquatableArray.From(new[] { new Parameter("x", ParameterKind.Span), new Parameter("y", ParameterKind.Span) }),
                EquatableArray.From(new[] { new DataSymbol("this.d", "this.d", DataKind.Double), new DataSymbol("this.A", "this.A", DataKind.Matrix) }),
                new Block(EquatableArray.From(statements)));
            _ = Analysis.Analyze(function, isConstraint: rng.Next(2) == 0);
        }

        // Nesting far past the depth limit: an answer (Unknown), no stack overflow.
        Expr deep = new Var("y", ScalarType.Double);
        for (int i = 0; i < 5000; i++)
        {
            deep = new Binary(BinaryOp.Add, new Call(ScalarFunction.Exp, EquatableArray.From(new[] { deep })), new Num(1));
        }

        var deepFunction = new Function("Lower", EquatableArray.From(new[] { new Parameter("x", ParameterKind.Scalar), new Parameter("y", ParameterKind.Scalar) }),
            EquatableArray<DataSymbol>.Empty, new Block(EquatableArray.From(new Stmt[] { new Return(deep) })));
        Assert.Equal(Verdict.Unknown, Analysis.Analyze(deepFunction, isConstraint: false).Verdict);
        Assert.Throws<OperationCanceledException>(() => Analysis.Analyze(deepFunction, false, new CancellationToken(canceled: true)));
    }

    private static void CheckMidpoints(Random rng, Expr body, bool convex, Verdict verdict)
    {
        for (int trial = 0; trial < 30; trial++)
        {
            var env = new Dictionary<string, double> { ["x"] = (rng.NextDouble() * 4) - 2, ["this.d"] = (rng.NextDouble() * 4) - 2 };
            double a = (rng.NextDouble() * 6) - 3, b = (rng.NextDouble() * 6) - 3;
            double fa = At(body, env, a), fb = At(body, env, b), fm = At(body, env, (a + b) / 2);
            if (!double.IsFinite(fa) || !double.IsFinite(fb) || !double.IsFinite(fm) || Math.Max(Math.Abs(fa), Math.Abs(fb)) > 1e12)
            {
                continue;
            }

            double chord = (fa + fb) / 2, slack = 1e-9 * (1 + Math.Abs(fa) + Math.Abs(fb));
            Assert.True(convex ? fm <= chord + slack : fm >= chord - slack,
                $"{verdict} verdict on {body} fails at x = {env["x"]}, d = {env["this.d"]}, y = {a} and {b}: f(mid) = {fm}, chord {chord}");
        }
    }

    private static double At(Expr body, Dictionary<string, double> env, double y)
    {
        env["y"] = y;
        try
        {
            return IrEvaluator.Eval(body, env);
        }
        catch (InvalidOperationException)
        {
            return double.NaN;
        }
    }

    private static Expr RandomExpr(Random rng, int depth)
    {
        if (depth == 0 || rng.Next(5) == 0)
        {
            return rng.Next(6) switch
            {
                0 or 1 => new Var("y", ScalarType.Double),
                2 => new Var("x", ScalarType.Double),
                3 => new Var("this.d", ScalarType.Double),
                _ => new Num(Math.Round((rng.NextDouble() * 6) - 3, 1)),
            };
        }

        switch (rng.Next(8))
        {
            case 0:
            case 1:
                return new Binary(BinaryOp.Add, RandomExpr(rng, depth - 1), RandomExpr(rng, depth - 1));
            case 2:
                return new Binary(BinaryOp.Subtract, RandomExpr(rng, depth - 1), RandomExpr(rng, depth - 1));
            case 3:
                Expr factor = RandomExpr(rng, depth - 1);
                return new Binary(BinaryOp.Multiply, factor, rng.Next(3) == 0 ? factor : RandomExpr(rng, depth - 1));
            case 4:
                return new Binary(BinaryOp.Divide, RandomExpr(rng, depth - 1), RandomExpr(rng, depth - 1));
            case 5:
                return new Unary(UnaryOp.Negate, RandomExpr(rng, depth - 1));
            case 6:
                return new Call(ScalarFunction.Pow, EquatableArray.From(new[] { RandomExpr(rng, depth - 1), (Expr)new Num(Exponents[rng.Next(Exponents.Length)]) }));
            default:
                ScalarFunction f = Functions[rng.Next(Functions.Length)];
                int arity = Primitives.Of(f).Arity;
                return new Call(f, EquatableArray.From(Enumerable.Range(0, arity).Select(k => k == 2 ? new Num(0.5) : RandomExpr(rng, depth - 1)).ToArray()));
        }
    }

    private static Stmt RandomStatement(Random rng, int depth)
    {
        var y = new VecRef("y");
        var v = new VecRef("v" + rng.Next(2));
        Expr index = new Var("i" + rng.Next(2), ScalarType.Int);
        Block Body() => new Block(EquatableArray.From(Enumerable.Range(0, rng.Next(3)).Select(_ => depth > 0 ? RandomStatement(rng, depth - 1) : new Declare("z", ScalarType.Double)).ToArray()));
        return rng.Next(12) switch
        {
            0 => new Assign("s" + rng.Next(3), ScalarType.Double, RandomExpr(rng, 3), Declare: true),
            1 => new AddTo("s" + rng.Next(3), RandomExpr(rng, 3)),
            2 => new If(new Binary(BinaryOp.Less, RandomExpr(rng, 2), new Num(0)), Body(), Body()),
            3 => new For("i" + rng.Next(2), new IntNum(0), rng.Next(2) == 0 ? new Dim(y, DimensionKind.Length) : new IntNum(3), Body()),
            4 => new VecLocal(v.Name, new Dim(y, DimensionKind.Length)),
            5 => new MatVecUpdate(v, new Num(1), new MatRef(rng.Next(2) == 0 ? "this.A" : "y", rng.Next(2) == 0 ? null : new IntNum(0), new IntNum(2), new IntNum(2)), rng.Next(2) == 0 ? y : v, rng.Next(2) == 0),
            6 => new AddToElement(v, index, RandomExpr(rng, 2)),
            7 => new AddVector(v, RandomExpr(rng, 1), rng.Next(2) == 0 ? new VecScaled(2, y) : new VecSoftmax(y)),
            8 => new Assign("s" + rng.Next(3), ScalarType.Double, new VecCall((VectorFunction)rng.Next(6), EquatableArray.From(new[] { rng.Next(2) == 0 ? y : v, v })), Declare: true),
            9 => new AddTo("s0", new Binary(BinaryOp.Multiply, new Binary(BinaryOp.Multiply, new Elem(y, index), new MatElem("this.A", new Var("i0", ScalarType.Int), new Var("i1", ScalarType.Int))), new Elem(y, new Var("i1", ScalarType.Int)))),
            10 => new ClearVector(v),
            _ => new OuterUpdate(new MatRef("y", new IntNum(0), new IntNum(1), new IntNum(1)), new Num(1), y, y),
        };
    }
}
