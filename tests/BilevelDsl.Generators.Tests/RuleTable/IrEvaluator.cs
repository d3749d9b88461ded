using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using BilevelDsl.Generators.Ad;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.GeneratorTests.RuleTable;

/// <summary>
/// A small interpreter for the scalar IR that derivative rules produce (Num, IntNum, BoolConst, Var, Unary,
/// Binary, Call, Select), computing each Call with the runtime method its primitive-table entry prints,
/// and a forward-mode (dual number) version whose Call tangents come from the rule table itself.
/// Booleans are 1 and 0.
/// </summary>
internal static class IrEvaluator
{
    private static readonly ConcurrentDictionary<ScalarFunction, Func<double[], double>> Methods = new();

    /// <summary>The value of a scalar function, as the generated code computes it: by calling the very method its
    /// primitive-table entry prints (Primitive.Printed), found by reflection.</summary>
    public static double Apply(ScalarFunction function, IReadOnlyList<double> a) =>
        Methods.GetOrAdd(function, f => PrintedMethod(Primitives.Of(f)))(a.ToArray());

    /// <summary>The runtime method a table entry prints, as a function of doubles (ints are converted both ways).</summary>
    public static Func<double[], double> PrintedMethod(Primitive primitive)
    {
        MethodInfo method = ResolvePrinted(primitive.Printed, primitive.Arity, primitive.ParameterType == ScalarType.Int ? typeof(int) : typeof(double))
            ?? throw new InvalidOperationException($"{primitive.Function} prints {primitive.Printed}, which is no public static method of {primitive.Arity} {primitive.ParameterType} arguments");
        bool integer = primitive.ParameterType == ScalarType.Int;
        return args => Convert.ToDouble(method.Invoke(null, args.Select(v => integer ? (object)checked((int)v) : v).ToArray()), CultureInfo.InvariantCulture);
    }

    /// <summary>The public static method a printed name (global::Namespace.Type.Method) denotes, with
    /// <paramref name="arity"/> parameters of <paramref name="parameterType"/>; null when there is none.</summary>
    public static MethodInfo? ResolvePrinted(string printed, int arity, Type parameterType)
    {
        const string prefix = "global::";
        if (!printed.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        string qualified = printed[prefix.Length..];
        int dot = qualified.LastIndexOf('.');
        string typeName = qualified[..dot];
        string methodName = qualified[(dot + 1)..];
        Type? type = new[] { typeof(Math).Assembly, typeof(Dsl).Assembly }.Select(a => a.GetType(typeName)).FirstOrDefault(t => t != null);
        return type?.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == methodName && m.ReturnType == parameterType && m.GetParameters().Length == arity
                && m.GetParameters().All(p => p.ParameterType == parameterType));
    }

    public static double Eval(Expr e, IReadOnlyDictionary<string, double> env) => e switch
    {
        Num n => n.Value,
        IntNum i => i.Value,
        BoolConst b => b.Value ? 1 : 0,
        Var v => env.TryGetValue(v.Name, out double value) ? value : throw new InvalidOperationException("unbound variable " + v.Name),
        Unary { Op: UnaryOp.Negate } u => -Eval(u.Operand, env),
        Unary { Op: UnaryOp.Not } u => Eval(u.Operand, env) != 0 ? 0 : 1,
        Unary { Op: UnaryOp.IntToDouble } u => Eval(u.Operand, env),
        Binary b => Binary(b.Op, Eval(b.Left, env), Eval(b.Right, env), b.Type == ScalarType.Int),
        Call c => Apply(c.Function, c.Args.Select(a => Eval(a, env)).ToArray()),
        Select s => Eval(s.Condition, env) != 0 ? Eval(s.WhenTrue, env) : Eval(s.WhenFalse, env),
        _ => throw new InvalidOperationException("unexpected node in a derivative rule: " + e.GetType().Name),
    };

    private static double Binary(BinaryOp op, double l, double r, bool integer) => op switch
    {
        BinaryOp.Add => l + r,
        BinaryOp.Subtract => l - r,
        BinaryOp.Multiply => l * r,
        BinaryOp.Divide => integer ? (int)l / (int)r : l / r,
        BinaryOp.Modulo => integer ? (int)l % (int)r : throw new InvalidOperationException("% on doubles"),
        BinaryOp.Less => l < r ? 1 : 0,
        BinaryOp.LessOrEqual => l <= r ? 1 : 0,
        BinaryOp.Greater => l > r ? 1 : 0,
        BinaryOp.GreaterOrEqual => l >= r ? 1 : 0,
        BinaryOp.Equal => l == r ? 1 : 0,
        BinaryOp.NotEqual => l != r ? 1 : 0,
        BinaryOp.And => l != 0 && r != 0 ? 1 : 0,
        BinaryOp.Or => l != 0 || r != 0 ? 1 : 0,
        _ => throw new InvalidOperationException("unknown operator " + op),
    };

    /// <summary>
    /// Value and directional derivative of <paramref name="e"/>, given those of its variables. A Call's tangent
    /// is sum_k (rule-table partial k, evaluated) * (tangent of argument k): differentiating an expression
    /// this way uses the table on every Call in it, so it fails if a Call has no rule.
    /// </summary>
    public static (double Value, double Tangent) Dual(Expr e, IReadOnlyDictionary<string, (double Value, double Tangent)> env)
    {
        switch (e)
        {
            case Num or IntNum or BoolConst:
                return (Eval(e, new Dictionary<string, double>()), 0);
            case Var v:
                return env.TryGetValue(v.Name, out var d) ? d : throw new InvalidOperationException("unbound variable " + v.Name);
            case Unary { Op: UnaryOp.Negate } u:
                var (value, tangent) = Dual(u.Operand, env);
                return (-value, -tangent);
            case Unary u:
                return (Eval(u, Values(env)), 0);
            case Binary b when b.Op is BinaryOp.Add or BinaryOp.Subtract or BinaryOp.Multiply or BinaryOp.Divide && b.Type == ScalarType.Double:
                var (l, dl) = Dual(b.Left, env);
                var (r, dr) = Dual(b.Right, env);
                return b.Op switch
                {
                    BinaryOp.Add => (l + r, dl + dr),
                    BinaryOp.Subtract => (l - r, dl - dr),
                    BinaryOp.Multiply => (l * r, (dl * r) + (l * dr)),
                    _ => (l / r, ((dl * r) - (l * dr)) / (r * r)),
                };
            case Binary b:
                return (Eval(b, Values(env)), 0);
            case Select s:
                return Eval(s.Condition, Values(env)) != 0 ? Dual(s.WhenTrue, env) : Dual(s.WhenFalse, env);
            case Call c:
                var args = c.Args.Select(a => Dual(a, env)).ToArray();
                double result = Apply(c.Function, args.Select(a => a.Value).ToArray());
                double sum = 0;
                for (int k = 0; k < args.Length; k++)
                {
                    if (args[k].Tangent == 0)
                    {
                        continue;
                    }

                    var leaves = new Dictionary<string, double> { ["r"] = result };
                    var names = new List<Expr>();
                    for (int i = 0; i < args.Length; i++)
                    {
                        leaves["a" + i] = args[i].Value;
                        names.Add(new Var("a" + i, ScalarType.Double));
                    }

                    Expr partial = DerivativeRules.Partial(c.Function, names, new Var("r", ScalarType.Double), k);
                    sum += Eval(partial, leaves) * args[k].Tangent;
                }

                return (result, sum);
            default:
                throw new InvalidOperationException("unexpected node in a derivative rule: " + e.GetType().Name);
        }
    }

    private static Dictionary<string, double> Values(IReadOnlyDictionary<string, (double Value, double Tangent)> env) =>
        env.ToDictionary(p => p.Key, p => p.Value.Value);

    /// <summary>Every node of an expression (pre-order).</summary>
    public static IEnumerable<Expr> Nodes(Expr e)
    {
        yield return e;
        IEnumerable<Expr> children = e switch
        {
            Unary u => [u.Operand],
            Binary b => [b.Left, b.Right],
            Call c => c.Args,
            Select s => [s.Condition, s.WhenTrue, s.WhenFalse],
            _ => [],
        };
        foreach (Expr child in children)
        {
            foreach (Expr node in Nodes(child))
            {
                yield return node;
            }
        }
    }
}
