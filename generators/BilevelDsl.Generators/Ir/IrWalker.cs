using System;
using System.Collections.Generic;

namespace BilevelDsl.Generators.Ir
{
    /// <summary>The one traversal of IR programs: statements, the expressions they read, and the variables they define.</summary>
    internal static class IrWalker
    {
        /// <summary>Visits every statement of a block, descending into branches and (optionally) loop bodies.</summary>
        public static void VisitStatements(Block block, Action<Stmt> visit, bool intoLoops = true)
        {
            foreach (Stmt statement in block.Statements)
            {
                GenerationCancellation.ThrowIfRequested();
                visit(statement);
                switch (statement)
                {
                    case If branch:
                        VisitStatements(branch.Then, visit, intoLoops);
                        VisitStatements(branch.Else, visit, intoLoops);
                        break;
                    case For loop when intoLoops:
                        VisitStatements(loop.Body, visit, intoLoops);
                        break;
                    case RowBlockLoop blocked when intoLoops:
                        VisitStatements(new Block(EquatableArray.Of<Stmt>(blocked.Inner)), visit, intoLoops);
                        break;
                }
            }
        }

        /// <summary>Variables a block declares (assignments that declare, declarations, helper outputs); loop
        /// indices are not included (the loop header declares them).</summary>
        public static List<(string Name, ScalarType Type)> Definitions(Block block, bool intoLoops)
        {
            var defined = new List<(string, ScalarType)>();
            VisitStatements(block, statement =>
            {
                switch (statement)
                {
                    case Assign { Declare: true } a:
                        defined.Add((a.Target, a.Type));
                        break;
                    case Declare d:
                        defined.Add((d.Name, d.Type));
                        break;
                    case HelperPartials h:
                        foreach (string output in h.Outputs)
                        {
                            defined.Add((output, ScalarType.Double));
                        }

                        break;
                    case HelperPartialsTangent t:
                        foreach (string output in t.Outputs)
                        {
                            defined.Add((output, ScalarType.Double));
                        }

                        foreach (string output in t.OutputTangents)
                        {
                            defined.Add((output, ScalarType.Double));
                        }

                        break;
                }
            }, intoLoops);
            return defined;
        }

        /// <summary>Names of every variable read anywhere in a list of statements (accumulation targets are not reads).</summary>
        public static HashSet<string> Reads(IEnumerable<Stmt> statements)
        {
            var reads = new HashSet<string>(StringComparer.Ordinal);
            void Read(Expr e)
            {
                if (e is Var v)
                {
                    reads.Add(v.Name);
                }
            }

            foreach (Stmt statement in statements)
            {
                GenerationCancellation.ThrowIfRequested();
                VisitExpressions(new Block(EquatableArray.Of(statement)), Read);
            }

            return reads;
        }

        /// <summary>Names of the variables one statement reads itself (not in the statements nested in it).</summary>
        public static IEnumerable<string> OwnReads(Stmt statement)
        {
            var reads = new List<string>();
            VisitStatementExpressions(statement, e =>
            {
                if (e is Var v)
                {
                    reads.Add(v.Name);
                }
            });
            return reads;
        }

        /// <summary>Visits every expression of a block: right-hand sides, conditions, bounds, indices, vector rows.</summary>
        public static void VisitExpressions(Block block, Action<Expr> visit) =>
            VisitStatements(block, statement => VisitStatementExpressions(statement, visit));

        private static void VisitStatementExpressions(Stmt statement, Action<Expr> visit)
        {
            switch (statement)
            {
                case Assign a:
                    Visit(a.Value, visit);
                    break;
                case AddTo add:
                    Visit(add.Value, visit);
                    break;
                case AddToElement element:
                    Visit(element.Vector, visit);
                    Visit(element.Index, visit);
                    Visit(element.Value, visit);
                    break;
                case AddVector vector:
                    Visit(vector.Target, visit);
                    Visit(vector.Scale, visit);
                    Visit(vector.Source, visit);
                    break;
                case ClearVector clear:
                    Visit(clear.Vector, visit);
                    break;
                case VecLocal local:
                    Visit(local.Length, visit);
                    if (local.Slot != null)
                    {
                        Visit(local.Slot, visit);
                    }

                    break;
                case VecStore store:
                    Visit(store.Length, visit);
                    break;
                case SpanAlias alias:
                    Visit(alias.Source, visit);
                    break;
                case RequireLength require:
                    Visit(require.Vector, visit);
                    Visit(require.Expected, visit);
                    break;
                case MatVecUpdate product:
                    Visit(product.Target, visit);
                    Visit(product.Scale, visit);
                    Visit(product.Matrix, visit);
                    Visit(product.Vector, visit);
                    break;
                case OuterUpdate outer:
                    Visit(outer.Target, visit);
                    Visit(outer.Scale, visit);
                    Visit(outer.Left, visit);
                    Visit(outer.Right, visit);
                    break;
                case HelperPartials h:
                    VisitAll(h.Args, visit);
                    break;
                case HelperPartialsTangent t:
                    VisitAll(t.Args, visit);
                    VisitAll(t.ArgTangents, visit);
                    break;
                case If branch:
                    Visit(branch.Condition, visit);
                    break;
                case For loop:
                    Visit(loop.From, visit);
                    Visit(loop.To, visit);
                    break;
                case Return r:
                    Visit(r.Value, visit);
                    break;
            }
        }

        public static void Visit(Expr expr, Action<Expr> visit)
        {
            visit(expr);
            switch (expr)
            {
                case Elem e:
                    Visit(e.Vector, visit);
                    Visit(e.Index, visit);
                    break;
                case MatElem m:
                    Visit(m.Row, visit);
                    Visit(m.Column, visit);
                    break;
                case Dim d:
                    Visit(d.Vector, visit);
                    break;
                case Unary u:
                    Visit(u.Operand, visit);
                    break;
                case Binary b:
                    Visit(b.Left, visit);
                    Visit(b.Right, visit);
                    break;
                case Call c:
                    VisitAll(c.Args, visit);
                    break;
                case HelperCall h:
                    VisitAll(h.Args, visit);
                    break;
                case VecCall vc:
                    foreach (VecRef arg in vc.Args)
                    {
                        Visit(arg, visit);
                    }

                    if (vc.Mu != null)
                    {
                        Visit(vc.Mu, visit);
                    }

                    break;
                case VecTermDot d:
                    Visit(d.Term, visit);
                    Visit(d.Vector, visit);
                    break;
                case Select s:
                    Visit(s.Condition, visit);
                    Visit(s.WhenTrue, visit);
                    Visit(s.WhenFalse, visit);
                    break;
            }
        }

        private static void Visit(VecRef vector, Action<Expr> visit)
        {
            if (vector.Row != null)
            {
                Visit(vector.Row, visit);
            }

            if (vector.Offset != null)
            {
                Visit(vector.Offset, visit);
            }

            if (vector.Length != null)
            {
                Visit(vector.Length, visit);
            }
        }

        private static void Visit(MatRef matrix, Action<Expr> visit)
        {
            foreach (Expr? part in new[] { matrix.Offset, matrix.Rows, matrix.Columns })
            {
                if (part != null)
                {
                    Visit(part, visit);
                }
            }
        }

        /// <summary>The vector a statement writes into (accumulates, clears or declares), or null.</summary>
        public static string? VectorWritten(Stmt statement) => statement switch
        {
            AddToElement element => element.Vector.Name,
            AddVector vector => vector.Target.Name,
            ClearVector clear => clear.Vector.Name,
            MatVecUpdate product => product.Target.Name,
            OuterUpdate outer => outer.Target.Name,
            VecLocal local => local.Name,
            VecStore store => store.Name,
            _ => null,
        };

        /// <summary>Names of the vectors and matrices a statement reads (its target not included, unless also read).</summary>
        public static HashSet<string> VectorsRead(IEnumerable<Stmt> statements)
        {
            var reads = new HashSet<string>(StringComparer.Ordinal);
            VisitStatements(new Block(EquatableArray.From(new List<Stmt>(statements))), statement =>
            {
                switch (statement)
                {
                    case AddVector vector:
                        AddTermVectors(vector.Source, reads);
                        break;
                    case MatVecUpdate product:
                        reads.Add(product.Matrix.Name);
                        reads.Add(product.Vector.Name);
                        break;
                    case OuterUpdate outer:
                        reads.Add(outer.Left.Name);
                        reads.Add(outer.Right.Name);
                        break;
                    case VecLocal { Store: not null } local:
                        reads.Add(local.Store!);
                        break;
                    case SpanAlias alias:
                        reads.Add(alias.Source.Name);
                        break;
                    case RequireLength require:
                        reads.Add(require.Vector.Name);
                        break;
                }

                VisitStatementExpressions(statement, e =>
                {
                    switch (e)
                    {
                        case Elem element:
                            reads.Add(element.Vector.Name);
                            break;
                        case VecCall call:
                            foreach (VecRef arg in call.Args)
                            {
                                reads.Add(arg.Name);
                            }

                            break;
                        case VecTermDot dot:
                            reads.Add(dot.Vector.Name);
                            AddTermVectors(dot.Term, reads);
                            break;
                        case Dim dim:
                            reads.Add(dim.Vector.Name);
                            break;
                    }
                });
            });
            return reads;
        }

        private static void AddTermVectors(VecTerm term, HashSet<string> reads)
        {
            foreach (VecRef vector in TermVectors(term))
            {
                reads.Add(vector.Name);
            }
        }

        private static void Visit(VecTerm term, Action<Expr> visit)
        {
            foreach (VecRef vector in TermVectors(term))
            {
                Visit(vector, visit);
            }

            foreach (Expr scalar in TermScalars(term))
            {
                Visit(scalar, visit);
            }
        }

        /// <summary>The vectors a vector term reads.</summary>
        public static IEnumerable<VecRef> TermVectors(VecTerm term) => term switch
        {
            VecScaled scaled => new[] { scaled.Vector },
            VecExpShifted shifted => new[] { shifted.Vector },
            VecExpShiftedProduct product => new[] { product.Vector, product.Tangent },
            VecSign sign => new[] { sign.Vector },
            VecSmoothSign smooth => new[] { smooth.Vector },
            VecSmoothSignProduct smoothProduct => new[] { smoothProduct.Vector, smoothProduct.Tangent },
            VecSoftmax softmax => new[] { softmax.Vector },
            VecSoftmaxJacobian jacobian => new[] { jacobian.Vector, jacobian.U },
            VecSoftmaxJacobianTangent tangent => new[] { tangent.Vector, tangent.Direction, tangent.U },
            _ => Array.Empty<VecRef>(),
        };

        /// <summary>The scalars a vector term reads (shifts, smoothing parameters).</summary>
        public static IEnumerable<Expr> TermScalars(VecTerm term) => term switch
        {
            VecExpShifted shifted => new[] { shifted.Shift },
            VecExpShiftedProduct product => new[] { product.Shift },
            VecSmoothSign smooth => new[] { smooth.Mu },
            VecSmoothSignProduct smoothProduct => new[] { smoothProduct.Mu },
            _ => Array.Empty<Expr>(),
        };

        private static void VisitAll(EquatableArray<Expr> args, Action<Expr> visit)
        {
            foreach (Expr arg in args)
            {
                Visit(arg, visit);
            }
        }
    }
}
