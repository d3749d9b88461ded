using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>
    /// The mu-smoothed form of a function, as an IR rewrite: each kinked primitive becomes the smoothed form its
    /// table entry names (<see cref="Primitive.SmoothedBy"/>): |t| becomes sqrt(t^2 + mu^2), max/min their
    /// sqrt((a - b)^2 + mu^2) forms, the l1 norm the sum of smoothed magnitudes (so |t|^p becomes
    /// (t^2 + mu^2)^(p/2) and the OSCAR pair term the seed's smoothing). Every derivative mode then applies
    /// unchanged. At mu = 0 each smoothed form has the exact value, and its derivative rule reduces to the
    /// kink convention of the exact primitive, so mu = 0 is the exact model.
    /// Helpers are rewritten to their smoothed versions (named <see cref="SmoothedName"/>, taking mu last).
    /// </summary>
    internal static class Smoothing
    {
        public static string SmoothedName(string helper) => GeneratedNames.Join(helper, "Smoothed");

        /// <summary>Whether a function (or a helper it calls) has a nonsmooth primitive.</summary>
        public static bool IsNonsmooth(Function function, IReadOnlyDictionary<string, Function> helpers)
        {
            var seen = new HashSet<string>(System.StringComparer.Ordinal);
            bool Visit(Function f)
            {
                bool found = f.Nonsmooth.Count > 0;
                IrWalker.VisitExpressions(f.Body, e =>
                {
                    if (e is HelperCall call && seen.Add(call.Helper) && helpers.TryGetValue(call.Helper, out Function? helper))
                    {
                        found |= Visit(helper);
                    }
                });
                return found;
            }

            return Visit(function);
        }

        public static Function Apply(Function function, string mu)
        {
            var muVar = new Var(mu, ScalarType.Double);
            var parameters = function.Parameters.Concat(new[] { new Parameter(mu, ParameterKind.Constant) });
            return function with
            {
                Name = SmoothedName(function.Name),
                Parameters = EquatableArray.From(parameters),
                Body = Rewrite(function.Body, muVar),
            };
        }

        private static Block Rewrite(Block block, Var mu) =>
            new Block(EquatableArray.From(block.Statements.Select(s =>
            {
                GenerationCancellation.ThrowIfRequested();
                return Rewrite(s, mu);
            }).ToList()));

        private static Stmt Rewrite(Stmt statement, Var mu) => statement switch
        {
            Assign a => a with { Value = Rewrite(a.Value, mu) },
            AddTo add => add with { Value = Rewrite(add.Value, mu) },
            Return r => new Return(Rewrite(r.Value, mu)),
            If branch => new If(Rewrite(branch.Condition, mu), Rewrite(branch.Then, mu), Rewrite(branch.Else, mu)),
            For loop => loop with { From = Rewrite(loop.From, mu), To = Rewrite(loop.To, mu), Body = Rewrite(loop.Body, mu) },
            _ => statement,
        };

        private static Expr Rewrite(Expr expr, Var mu)
        {
            switch (expr)
            {
                case Unary u:
                    return u with { Operand = Rewrite(u.Operand, mu) };
                case Binary b:
                    return b with { Left = Rewrite(b.Left, mu), Right = Rewrite(b.Right, mu) };
                case Call c:
                    var args = c.Args.Select(a => Rewrite(a, mu)).ToList();
                    return Primitives.Of(c.Function).SmoothedBy is ScalarFunction smoothed
                        ? new Call(smoothed, EquatableArray.From(args.Concat(new Expr[] { mu })))
                        : c with { Args = EquatableArray.From(args) };

                case HelperCall h:
                    return new HelperCall(SmoothedName(h.Helper), EquatableArray.From(h.Args.Select(a => Rewrite(a, mu)).Concat(new Expr[] { mu })));
                case VecCall vc when Primitives.Of(vc.Function).SmoothedBy is VectorFunction smoothedVector:
                    return new VecCall(smoothedVector, vc.Args, mu);
                case Elem e:
                    return e with { Index = Rewrite(e.Index, mu) };
                case Select s:
                    return new Select(Rewrite(s.Condition, mu), Rewrite(s.WhenTrue, mu), Rewrite(s.WhenFalse, mu));
                default:
                    return expr;
            }
        }
    }
}
