using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BilevelDsl.Generators.Frontend
{
    /// <summary>
    /// Early returns lowered to a join, so the rest of a body is lowered once whatever the number of guards.
    /// Once a statement may return without always returning (<c>if (a) { if (b) return s; }</c>), every return
    /// defines a new version of a result variable and of a "returned" flag (0 or 1); branches merge both like any
    /// other variable (phi variables), the rest of a statement list runs under <c>returned == 0</c>, and the
    /// function returns the result at its end. Each version is assigned once on any path, so the conditions read
    /// in the backward sweep still see the values of the forward sweep.
    /// </summary>
    internal sealed partial class BodyLowerer
    {
        /// <summary>The current versions of the result and of the flag; null until a body needs the join.</summary>
        private JoinVersions? join;

        private static bool NeedsJoin(IConditionalOperation branch) =>
            (ContainsReturn(branch.WhenTrue) && !AlwaysReturns(branch.WhenTrue))
            || (branch.WhenFalse != null && ContainsReturn(branch.WhenFalse) && !AlwaysReturns(branch.WhenFalse));

        /// <summary>Every path through the statement ends in a return (conservative: loops never do).</summary>
        private static bool AlwaysReturns(IOperation operation) => operation switch
        {
            IReturnOperation _ => true,
            IBlockOperation block => block.Operations.Any(AlwaysReturns),
            IConditionalOperation branch => branch.WhenFalse != null && AlwaysReturns(branch.WhenTrue) && AlwaysReturns(branch.WhenFalse),
            _ => false,
        };

        private void EnterJoin(List<Stmt> output)
        {
            string result = names.Fresh("result");
            string returned = names.Fresh("returned");
            output.Add(new Assign(result, ScalarType.Double, new Num(0.0), Declare: true));
            output.Add(new Assign(returned, ScalarType.Int, new IntNum(0), Declare: true));
            join = new JoinVersions(result, returned);
        }

        private void JoinReturn(Expr value, List<Stmt> output)
        {
            string result = names.Fresh("result");
            string returned = names.Fresh("returned");
            NoteSite(result, value);
            output.Add(new Assign(result, ScalarType.Double, value, Declare: true));
            output.Add(new Assign(returned, ScalarType.Int, new IntNum(1), Declare: true));
            join = new JoinVersions(result, returned);
        }

        /// <summary>The rest of a statement list, under "not returned".</summary>
        private void LowerUnlessReturned(IReadOnlyList<IOperation> operations, int start, List<Stmt> output)
        {
            Expr notReturned = new Binary(BinaryOp.Equal, new Var(join!.Returned, ScalarType.Int), new IntNum(0));
            LowerBranches(notReturned, arm => LowerSequence(operations, start, arm), null, output);
        }

        /// <summary>Phi variables for the result and the flag when the arms left different versions.</summary>
        private void MergeJoin(JoinVersions? before, JoinVersions? whenTrue, JoinVersions? whenFalse, List<Stmt> trueArm, List<Stmt> falseArm, List<Stmt> output)
        {
            if (whenTrue == null || whenFalse == null)
            {
                return; // the join began in neither arm or inside one (that arm then returns on every path)
            }

            if (whenTrue == whenFalse)
            {
                join = whenTrue;
                return;
            }

            join = new JoinVersions(
                Phi(whenTrue.Result, whenFalse.Result, ScalarType.Double, "result"),
                Phi(whenTrue.Returned, whenFalse.Returned, ScalarType.Int, "returned"));

            string Phi(string inTrue, string inFalse, ScalarType type, string hint)
            {
                if (inTrue == inFalse)
                {
                    return inTrue;
                }

                string phi = names.Fresh(hint);
                output.Add(new Declare(phi, type));
                trueArm.Add(new Assign(phi, type, new Var(inTrue, type), Declare: false));
                falseArm.Add(new Assign(phi, type, new Var(inFalse, type), Declare: false));
                return phi;
            }
        }

        private sealed class JoinVersions
        {
            public JoinVersions(string result, string returned)
            {
                Result = result;
                Returned = returned;
            }

            public string Result { get; }

            public string Returned { get; }
        }
    }
}
