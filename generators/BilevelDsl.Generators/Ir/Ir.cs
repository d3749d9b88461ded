
namespace BilevelDsl.Generators.Ir
{
    // The compiler's intermediate representation. The front end lowers C# objective bodies into it, the AD
    // passes rewrite it into derivative programs written in the same IR, and the emitter prints it as C#.
    // Every node is a record of strings, numbers, enums and equatable arrays, so whole programs take part in
    // the incremental generator's caching and can be compared by value in tests.

    /// <summary>Type of a scalar IR value.</summary>
    internal enum ScalarType
    {
        Double,
        Int,
        Bool,
    }

    internal enum UnaryOp
    {
        Negate,
        Not,
        IntToDouble,
    }

    internal enum BinaryOp
    {
        Add,
        Subtract,
        Multiply,
        Divide,
        Modulo,
        Less,
        LessOrEqual,
        Greater,
        GreaterOrEqual,
        Equal,
        NotEqual,
        And,
        Or,
    }

    /// <summary>Scalar functions; everything about each (names, partials, printing) is its entry in
    /// <see cref="Primitives"/>. The user-facing ones come from Math and Dsl; Sign and Step only appear in
    /// derivative rules (they encode the kink conventions), the Smooth* ones in smoothed programs.</summary>
    internal enum ScalarFunction
    {
        Sin,
        Cos,
        Tan,
        Exp,
        Log,
        Sqrt,
        Pow,
        Tanh,
        Atan,
        Abs,
        Max,
        Min,
        Sigmoid,
        Softplus,
        Sign,
        Step,

        /// <summary>sqrt(t^2 + mu^2), computed without overflow: the smoothed |t| (second argument mu).</summary>
        SmoothAbs,

        /// <summary>t / sqrt(t^2 + mu^2), 0 when both vanish, +-1 for infinite t: the derivative of SmoothAbs.</summary>
        SmoothSign,

        /// <summary>(a + b + sqrt((a - b)^2 + mu^2)) / 2, computed stably: the smoothed max (third argument mu).</summary>
        SmoothMax,

        /// <summary>(a + b - sqrt((a - b)^2 + mu^2)) / 2, computed stably: the smoothed min (third argument mu).</summary>
        SmoothMin,
        IntMax,
        IntMin,
        IntAbs,
        Cbrt,
        Log10,
    }

    /// <summary>Reductions of whole vectors to a scalar.</summary>
    internal enum VectorFunction
    {
        Dot,
        SquaredNorm,
        Sum,
        LogSumExp,

        /// <summary>sum |v_i|.</summary>
        Norm1,

        /// <summary>sum sqrt(v_i^2 + mu^2) (the call's <see cref="VecCall.Mu"/>).</summary>
        SmoothNorm1,
    }

    /// <summary>What a named vector is: an input (differentiable), a gradient output, or constant data.</summary>
    internal enum VectorKind
    {
        Input,
        Output,
        DataArray,
        DataMatrix,
    }

    /// <summary>A vector operand: a named span, row <see cref="Row"/> of a data matrix, or the slice
    /// [<see cref="Offset"/>, Offset + <see cref="Length"/>) of a named span (a slice, a row of a matrix view).</summary>
    internal sealed record VecRef(string Name, Expr? Row = null, Expr? Offset = null, Expr? Length = null)
    {
        /// <summary>The same part of another span (an input's gradient, an adjoint or a tangent).</summary>
        public VecRef Renamed(string name) => this with { Name = name };
    }

    /// <summary>A matrix operand: a data <c>Matrix</c> (<see cref="Offset"/> null), or a row-major
    /// <see cref="Rows"/> x <see cref="Columns"/> view of the named span starting at <see cref="Offset"/>.</summary>
    internal sealed record MatRef(string Name, Expr? Offset = null, Expr? Rows = null, Expr? Columns = null)
    {
        public bool IsView => Offset != null;

        public MatRef Renamed(string name) => this with { Name = name };
    }

    internal abstract record Expr
    {
        public abstract ScalarType Type { get; }
    }

    internal sealed record Num(double Value) : Expr
    {
        public override ScalarType Type => ScalarType.Double;
    }

    internal sealed record IntNum(int Value) : Expr
    {
        public override ScalarType Type => ScalarType.Int;
    }

    internal sealed record BoolConst(bool Value) : Expr
    {
        public override ScalarType Type => ScalarType.Bool;
    }

    /// <summary>A scalar variable: a local, a scalar input, or scalar data (by its C# access text).</summary>
    internal sealed record Var(string Name, ScalarType VarType) : Expr
    {
        public override ScalarType Type => VarType;
    }

    /// <summary>Element <see cref="Index"/> of a vector; int data arrays give ints.</summary>
    internal sealed record Elem(VecRef Vector, Expr Index, ScalarType ElemType = ScalarType.Double) : Expr
    {
        public override ScalarType Type => ElemType;
    }

    /// <summary>Element (Row, Column) of a data matrix.</summary>
    internal sealed record MatElem(string Matrix, Expr Row, Expr Column) : Expr
    {
        public override ScalarType Type => ScalarType.Double;
    }

    internal enum DimensionKind
    {
        Length,
        Rows,
        Columns,
    }

    /// <summary>Length of a vector, or rows/columns of a matrix.</summary>
    internal sealed record Dim(VecRef Vector, DimensionKind Kind) : Expr
    {
        public override ScalarType Type => ScalarType.Int;
    }

    internal sealed record Unary(UnaryOp Op, Expr Operand) : Expr
    {
        public override ScalarType Type => Op switch
        {
            UnaryOp.Not => ScalarType.Bool,
            UnaryOp.IntToDouble => ScalarType.Double,
            _ => Operand.Type,
        };
    }

    internal sealed record Binary(BinaryOp Op, Expr Left, Expr Right) : Expr
    {
        public override ScalarType Type => Op switch
        {
            BinaryOp.Add or BinaryOp.Subtract or BinaryOp.Multiply or BinaryOp.Divide or BinaryOp.Modulo =>
                Left.Type == ScalarType.Int && Right.Type == ScalarType.Int ? ScalarType.Int : ScalarType.Double,
            _ => ScalarType.Bool,
        };
    }

    internal sealed record Call(ScalarFunction Function, EquatableArray<Expr> Args) : Expr
    {
        public override ScalarType Type => Primitives.Of(Function).ResultType;
    }

    /// <summary>A call to a user's [Differentiable] static helper (double and int parameters).</summary>
    internal sealed record HelperCall(string Helper, EquatableArray<Expr> Args) : Expr
    {
        public override ScalarType Type => ScalarType.Double;
    }

    internal sealed record VecCall(VectorFunction Function, EquatableArray<VecRef> Args, Expr? Mu = null) : Expr
    {
        public override ScalarType Type => ScalarType.Double;
    }

    /// <summary>A conditional expression. The front end turns the user's ?: into If statements; Select only
    /// appears in derivative code, where it is printed as a C# conditional (only the taken arm runs).</summary>
    internal sealed record Select(Expr Condition, Expr WhenTrue, Expr WhenFalse) : Expr
    {
        public override ScalarType Type => WhenTrue.Type;
    }

    internal sealed record Block(EquatableArray<Stmt> Statements)
    {
        public static readonly Block Empty = new Block(EquatableArray<Stmt>.Empty);
    }

    internal abstract record Stmt;

    /// <summary>
    /// A computed vector of <see cref="Length"/> doubles (a stackalloc'ed local of the body, or an adjoint or
    /// tangent of one), zero from here on. With <see cref="Store"/> set it is slot <see cref="Slot"/> of that
    /// per-iteration store (reverse mode keeps a loop's vectors instead of recomputing them);
    /// <see cref="Keep"/> then means "point at the stored values" (the backward sweep) rather than "clear".
    /// The length never depends on loop variables, so the printer can hoist the memory out of loops.
    /// </summary>
    internal sealed record VecLocal(string Name, Expr Length, string? Store = null, Expr? Slot = null, bool Keep = false) : Stmt;

    /// <summary>A span local naming a data row (<c>var row = X.Row(i)</c>), so the hot loop reads a span and not
    /// the range-checked matrix indexer. Data: no derivative.</summary>
    internal sealed record SpanAlias(string Name, VecRef Source) : Stmt;

    /// <summary>Fails the kernel as the user's code would (a Dsl.Reshape whose sizes do not match its vector).</summary>
    internal sealed record RequireLength(VecRef Vector, Expr Expected, string What) : Stmt;

    /// <summary>Memory for the per-iteration copies of the computed vector <see cref="Vector"/> of one loop.</summary>
    internal sealed record VecStore(string Name, Expr Length, string Vector) : Stmt;

    /// <summary>Target += Scale * M v (or Mᵀ v when <see cref="Transposed"/>).</summary>
    internal sealed record MatVecUpdate(VecRef Target, Expr Scale, MatRef Matrix, VecRef Vector, bool Transposed) : Stmt;

    /// <summary>Target += Scale * Left Rightᵀ, for a matrix view Target (the adjoint of a matrix-vector product).</summary>
    internal sealed record OuterUpdate(MatRef Target, Expr Scale, VecRef Left, VecRef Right) : Stmt;

    /// <summary>Target = Value. With <see cref="Declare"/> the statement also declares the variable. Along any
    /// path each variable is assigned once (the front end renames reassignments), so values never change.</summary>
    internal sealed record Assign(string Target, ScalarType Type, Expr Value, bool Declare) : Stmt;

    /// <summary>Declares a variable (initialised to zero) that If branches assign.</summary>
    internal sealed record Declare(string Name, ScalarType Type) : Stmt;

    /// <summary>Target += Value: the only state loops may carry, and how adjoints accumulate.</summary>
    internal sealed record AddTo(string Target, Expr Value) : Stmt;

    /// <summary>Vector[Index] += Value (adjoint of an element read).</summary>
    internal sealed record AddToElement(VecRef Vector, Expr Index, Expr Value) : Stmt;

    /// <summary>Target += Scale * Source, elementwise (adjoint of a vector reduction).</summary>
    internal sealed record AddVector(VecRef Target, Expr Scale, VecTerm Source) : Stmt;

    /// <summary>Clears a vector (gradient outputs are overwritten, not accumulated).</summary>
    internal sealed record ClearVector(VecRef Vector) : Stmt;

    /// <summary>Evaluates the partial derivatives of a [Differentiable] helper at Args into the named outputs
    /// (one per double parameter; int parameters get none).</summary>
    internal sealed record HelperPartials(string Helper, EquatableArray<Expr> Args, EquatableArray<string> Outputs) : Stmt;

    /// <summary>if (Condition) Then else Else. A zero-adjoint guard (<see cref="GuardedAdjoint"/> set) skips
    /// propagating an adjoint that is exactly zero, so 0 * inf never becomes NaN; tangent mode widens its
    /// condition to 'the adjoint or its tangent is nonzero'.</summary>
    internal sealed record If(Expr Condition, Block Then, Block Else, string? GuardedAdjoint = null) : Stmt;

    /// <summary>for (int Index = From; Index &lt; To; Index++) Body. Bounds are loop-invariant.</summary>
    internal sealed record For(string Index, Expr From, Expr To, Block Body) : Stmt;

    internal sealed record Return(Expr Value) : Stmt;

    /// <summary>A vector-valued partial derivative of a vector reduction, used as <c>Target += s * term</c>.</summary>
    internal abstract record VecTerm;

    /// <summary>Factor * Vector.</summary>
    internal sealed record VecScaled(double Factor, VecRef Vector) : VecTerm;

    /// <summary>The all-ones vector (the derivative of Sum).</summary>
    internal sealed record VecOnes : VecTerm;

    /// <summary>exp(Vector - Shift) elementwise (the derivative of LogSumExp, with Shift its value).</summary>
    internal sealed record VecExpShifted(VecRef Vector, Expr Shift) : VecTerm;

    /// <summary>Sign(Vector) elementwise (the derivative of Norm1; Sign(0) = 0).</summary>
    internal sealed record VecSign(VecRef Vector) : VecTerm;

    /// <summary>v / sqrt(v^2 + mu^2) elementwise (the derivative of SmoothNorm1; 0 where both vanish).</summary>
    internal sealed record VecSmoothSign(VecRef Vector, Expr Mu) : VecTerm;

    /// <summary>mu^2 / (v^2 + mu^2)^(3/2) times Tangent, elementwise (the tangent of <see cref="VecSmoothSign"/>).</summary>
    internal sealed record VecSmoothSignProduct(VecRef Vector, Expr Mu, VecRef Tangent) : VecTerm;

    /// <summary>exp(Vector - Shift) times Tangent, elementwise (the tangent of the LogSumExp adjoint term).</summary>
    internal sealed record VecExpShiftedProduct(VecRef Vector, Expr Shift, VecRef Tangent) : VecTerm;

    /// <summary>softmax(Vector) (a computed vector's Dsl.Softmax).</summary>
    internal sealed record VecSoftmax(VecRef Vector) : VecTerm;

    /// <summary>J(Vector) U, with J = diag(p) - p pᵀ the symmetric Jacobian of p = softmax(Vector).</summary>
    internal sealed record VecSoftmaxJacobian(VecRef Vector, VecRef U) : VecTerm;

    /// <summary>The derivative of J(Vector) U along Direction (U held fixed): the tangent of <see cref="VecSoftmaxJacobian"/>.</summary>
    internal sealed record VecSoftmaxJacobianTangent(VecRef Vector, VecRef Direction, VecRef U) : VecTerm;

    /// <summary>The inner product of a vector term with a vector (the tangent of a vector reduction).</summary>
    internal sealed record VecTermDot(VecTerm Term, VecRef Vector) : Expr
    {
        public override ScalarType Type => ScalarType.Double;
    }

    /// <summary>Evaluates a helper's partials and their directional derivatives along ArgTangents (one per
    /// double parameter) — the helper's own forward-over-reverse program.</summary>
    internal sealed record HelperPartialsTangent(
        string Helper,
        EquatableArray<Expr> Args,
        EquatableArray<Expr> ArgTangents,
        EquatableArray<string> Outputs,
        EquatableArray<string> OutputTangents) : Stmt;

    internal enum ParameterKind
    {
        /// <summary>A differentiable double.</summary>
        Scalar,

        /// <summary>A differentiable ReadOnlySpan&lt;double&gt;.</summary>
        Span,

        /// <summary>An int (helpers only): a constant to the differentiation.</summary>
        Int,

        /// <summary>A double that is not differentiated (the smoothing parameter mu).</summary>
        Constant,
    }

    /// <summary>The kinds of a model's x and y (each a double or a ReadOnlySpan&lt;double&gt;; they may differ).</summary>
    internal readonly record struct VariableKinds(ParameterKind X, ParameterKind Y)
    {
        public static readonly VariableKinds Scalars = new VariableKinds(ParameterKind.Scalar, ParameterKind.Scalar);

        public ParameterKind Of(bool isX) => isX ? X : Y;

        public override string ToString() => Describe(X) + " x, " + Describe(Y) + " y";

        private static string Describe(ParameterKind kind) => kind == ParameterKind.Scalar ? "double" : "ReadOnlySpan<double>";
    }

    internal sealed record Parameter(string Name, ParameterKind Kind)
    {
        public bool IsDifferentiable => Kind == ParameterKind.Scalar || Kind == ParameterKind.Span;
    }

    /// <summary>A nonsmooth primitive in a body: which one, where (file(line,column)) and its source text.</summary>
    internal sealed record NonsmoothTerm(string Primitive, string Location, string Text);

    /// <summary>Where a value of the body comes from: the C# statement (file(line,column) and text) that assigned
    /// <see cref="Target"/> (an IR variable, or "return") the IR value <see cref="Value"/>. Only the convexity
    /// analysis reads it, to name the term that breaks convexity; <see cref="Value"/> is the statement's own node.</summary>
    internal sealed record TermSite(string Target, Expr Value, string Location, string Text)
    {
        public const string ReturnTarget = "return";
    }

    /// <summary>A data member the body reads: its IR name, the C# text that reads it, and its shape.</summary>
    internal sealed record DataSymbol(string Name, string Access, DataKind Kind);

    internal enum DataKind
    {
        Double,
        Int,
        DoubleArray,
        IntArray,
        Matrix,
    }

    /// <summary>A lowered objective or helper: scalar-valued function of its parameters.</summary>
    internal sealed record Function(
        string Name,
        EquatableArray<Parameter> Parameters,
        EquatableArray<DataSymbol> Data,
        Block Body,
        EquatableArray<NonsmoothTerm> Nonsmooth = default,
        EquatableArray<TermSite> Sites = default);
}
