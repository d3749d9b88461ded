using BilevelDsl.Generators.Ad;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;
using Xunit;

namespace BilevelDsl.GeneratorTests.Idioms;

/// <summary>
/// The recogniser on IR directly: loop-carried dependences cannot be written in the DSL (BDSL0007 rejects
/// reading an accumulator inside its loop), but the pass must not rely on that, so they are built here.
/// </summary>
public sealed class LoopIdiomIrTests
{
    private static readonly Var J = new("j", ScalarType.Int);

    private static Elem Y(Expr index) => new(new VecRef("y"), index);

    private static Function Lower(params Stmt[] body) => new(
        "Lower",
        EquatableArray.Of(new Parameter("x", ParameterKind.Span), new Parameter("y", ParameterKind.Span)),
        EquatableArray<DataSymbol>.Empty,
        new Block(EquatableArray.From(body.Append(new Return(new Var("s", ScalarType.Double))).ToList())));

    private static For Loop(Expr from, params Stmt[] body) =>
        new("j", from, new Dim(new VecRef("y"), DimensionKind.Length), new Block(EquatableArray.From(body.ToList())));

    private static Assign Zero(string name) => new(name, ScalarType.Double, new Num(0), Declare: true);

    [Fact]
    public void A_dot_product_over_the_whole_of_y_becomes_one_Dot()
    {
        Function function = Lower(Zero("s"), Loop(new IntNum(0), new AddTo("s", new Binary(BinaryOp.Multiply, Y(J), new Elem(new VecRef("x"), J)))));
        Function rewritten = LoopIdioms.Apply(function);
        var expected = new AddTo("s", new VecCall(VectorFunction.Dot, EquatableArray.Of(new VecRef("y"), new VecRef("x", null, new IntNum(0), new Dim(new VecRef("y"), DimensionKind.Length)))));
        Assert.Equal(new Stmt[] { Zero("s"), expected, new Return(new Var("s", ScalarType.Double)) }, rewritten.Body.Statements.ToArray());
    }

    [Fact]
    public void A_scalar_accumulator_read_inside_its_loop_is_not_an_idiom()
    {
        // t += y[j]; s += y[j] * t: s depends on the iterations before (a loop-carried dependence).
        Function function = Lower(Zero("s"), Zero("t"), Loop(new IntNum(0),
            new AddTo("t", Y(J)),
            new AddTo("s", new Binary(BinaryOp.Multiply, Y(J), new Var("t", ScalarType.Double)))));
        Assert.Same(function, LoopIdioms.Apply(function));
    }

    [Fact]
    public void A_vector_accumulated_and_read_inside_the_loop_is_not_an_idiom()
    {
        // z[j] += z[j - 1] + y[j] (a prefix sum), and s += z[j] next to z[j] += y[j].
        Function prefix = Lower(Zero("s"), new VecLocal("z", new Dim(new VecRef("y"), DimensionKind.Length)), Loop(new IntNum(1),
            new AddToElement(new VecRef("z"), J, new Binary(BinaryOp.Add, new Elem(new VecRef("z"), new Binary(BinaryOp.Subtract, J, new IntNum(1))), Y(J)))));
        Function sideBySide = Lower(Zero("s"), new VecLocal("z", new Dim(new VecRef("y"), DimensionKind.Length)), Loop(new IntNum(0),
            new AddToElement(new VecRef("z"), J, Y(J)),
            new AddTo("s", new Elem(new VecRef("z"), J))));
        Assert.Same(prefix, LoopIdioms.Apply(prefix));
        Assert.Same(sideBySide, LoopIdioms.Apply(sideBySide));
    }

    [Fact]
    public void A_trip_count_term_is_left_as_written()
    {
        // s += y[j] + 1: the constant term would need the trip count; the loop stays (and stays exact).
        Function function = Lower(Zero("s"), Loop(new IntNum(0), new AddTo("s", new Binary(BinaryOp.Add, Y(J), new Num(1)))));
        Assert.Same(function, LoopIdioms.Apply(function));
    }
}
