using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>
    /// Which variables depend on the differentiable inputs. Only active variables get adjoints, and the
    /// analyzer uses the same facts to warn when x never reaches the lower objective (or y the upper one).
    /// Because every variable is assigned once per path and accumulators are only read after their loop,
    /// one pass in program order is exact.
    /// </summary>
    internal sealed class Activity
    {
        private readonly HashSet<string> activeScalars;
        private readonly HashSet<string> activeVectors;

        private Activity(HashSet<string> scalars, HashSet<string> vectors)
        {
            activeScalars = scalars;
            activeVectors = vectors;
        }

        public static Activity Of(Function function, IEnumerable<string> inputs)
        {
            var inputSet = new HashSet<string>(inputs);
            var scalars = new HashSet<string>();
            var vectors = new HashSet<string>();
            foreach (Parameter parameter in function.Parameters)
            {
                if (!inputSet.Contains(parameter.Name))
                {
                    continue;
                }

                if (parameter.Kind == ParameterKind.Span)
                {
                    vectors.Add(parameter.Name);
                }
                else if (parameter.Kind == ParameterKind.Scalar)
                {
                    scalars.Add(parameter.Name);
                }
            }

            var activity = new Activity(scalars, vectors);
            activity.Visit(function.Body);
            return activity;
        }

        public bool IsActiveVariable(string name) => activeScalars.Contains(name);

        public bool IsActiveVector(VecRef vector) => vector.Row == null && activeVectors.Contains(vector.Name);

        /// <summary>Whether a matrix operand depends on the inputs (a view of an active vector; data never does).</summary>
        public bool IsActiveMatrix(MatRef matrix) => matrix.IsView && activeVectors.Contains(matrix.Name);

        public bool IsActiveVectorName(string name) => activeVectors.Contains(name);

        /// <summary>Whether a vector term reads an active vector.</summary>
        public bool IsActiveTerm(VecTerm term) =>
            IrWalker.TermVectors(term).Any(IsActiveVector) || IrWalker.TermScalars(term).Any(IsActive);

        /// <summary>Whether the function's returned value depends on the inputs.</summary>
        public bool ReturnIsActive { get; private set; }

        public bool IsActive(Expr expr)
        {
            switch (expr)
            {
                case Var v:
                    return activeScalars.Contains(v.Name);
                case Elem e:
                    return IsActiveVector(e.Vector);
                case Unary u:
                    return u.Op == UnaryOp.Negate && IsActive(u.Operand);
                case Binary b:
                    return b.Type == ScalarType.Double && (IsActive(b.Left) || IsActive(b.Right));
                case Call c:
                    return c.Type == ScalarType.Double && c.Args.Any(IsActive);
                case HelperCall h:
                    return h.Args.Any(IsActive);
                case VecCall vc:
                    return vc.Args.Any(IsActiveVector);
                case Select s:
                    return IsActive(s.WhenTrue) || IsActive(s.WhenFalse);
                case VecTermDot d:
                    return IsActiveVector(d.Vector) || IsActiveTerm(d.Term);
                default:
                    return false;
            }
        }

        private void Visit(Block block)
        {
            foreach (Stmt statement in block.Statements)
            {
                GenerationCancellation.ThrowIfRequested();
                switch (statement)
                {
                    case Assign a when a.Type == ScalarType.Double && IsActive(a.Value):
                        activeScalars.Add(a.Target);
                        break;
                    case AddTo add when IsActive(add.Value):
                        activeScalars.Add(add.Target);
                        break;
                    case HelperPartials h when h.Args.Any(IsActive):
                        foreach (string output in h.Outputs)
                        {
                            activeScalars.Add(output);
                        }

                        break;
                    case AddToElement element when IsActive(element.Value):
                        activeVectors.Add(element.Vector.Name);
                        break;
                    case AddVector vector when IsActive(vector.Scale) || IsActiveTerm(vector.Source):
                        activeVectors.Add(vector.Target.Name);
                        break;
                    case MatVecUpdate product when IsActive(product.Scale) || IsActiveMatrix(product.Matrix) || IsActiveVector(product.Vector):
                        activeVectors.Add(product.Target.Name);
                        break;
                    case OuterUpdate outer when IsActive(outer.Scale) || IsActiveVector(outer.Left) || IsActiveVector(outer.Right):
                        activeVectors.Add(outer.Target.Name);
                        break;
                    case If branch:
                        Visit(branch.Then);
                        Visit(branch.Else);
                        break;
                    case For loop:
                        Visit(loop.Body);
                        break;
                    case Return r when IsActive(r.Value):
                        ReturnIsActive = true;
                        break;
                }
            }
        }
    }
}
