using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using BilevelDsl.Generators.Diagnostics;
using BilevelDsl.Generators.Ir;
using BilevelDsl.Generators.Pipeline;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace BilevelDsl.Generators.Frontend
{
    // Calls: Math/Dsl primitives from the primitive table, the nonsmooth Dsl intrinsics, vector reductions and
    // [Differentiable] helpers; and the record of nonsmooth terms that smoothing and BDSL0013 read.
    internal sealed partial class BodyLowerer
    {
        private Expr LowerInvocation(IInvocationOperation invocation, List<Stmt> output)
        {
            IMethodSymbol target = invocation.TargetMethod;
            string container = target.ContainingType?.ToDisplayString() ?? string.Empty;
            bool isMath = container == Primitives.MathType;
            if ((isMath || container == DslType) && Primitives.HasName(dsl: !isMath, target.Name))
            {
                // The overload decides: Math.Max(int, int) is the int primitive, Math.Log(a, base) none at all.
                bool allInt = target.Parameters.All(p => p.Type.SpecialType == SpecialType.System_Int32);
                bool allDouble = target.Parameters.All(p => p.Type.SpecialType == SpecialType.System_Double);
                Primitive? primitive = allInt || allDouble
                    ? Primitives.Find(dsl: !isMath, target.Name, target.Parameters.Length, allInt ? ScalarType.Int : ScalarType.Double)
                    : null;
                if (primitive == null)
                {
                    return RejectCall(invocation);
                }

                RecordNonsmooth(primitive, invocation);
                return new Call(primitive.Function, LowerArguments(invocation, output));
            }

            if (container == DslType && LowerNonsmoothIntrinsic(invocation, output) is Expr intrinsic)
            {
                return intrinsic;
            }

            if (container == DslType && target.Name == "SoftmaxCrossEntropy")
            {
                // LogSumExp(logits) - logits[label]: exact derivatives from the LogSumExp rule and the element read.
                VecRef? logits = LowerVector(invocation.Arguments.First(a => a.Parameter?.Name == "logits").Value, output);
                Expr label = LowerExpr(invocation.Arguments.First(a => a.Parameter?.Name == "label").Value, output);
                return logits == null
                    ? new Num(0)
                    : new Binary(BinaryOp.Subtract, new VecCall(VectorFunction.LogSumExp, EquatableArray.Of(logits)), ElementOf(logits, label));
            }

            if (container == DslType && Primitives.FindVector(target.Name) is VectorPrimitive vectorPrimitive)
            {
                var vectors = new List<VecRef>();
                foreach (IArgumentOperation argument in invocation.Arguments)
                {
                    VecRef? vector = LowerVector(argument.Value, output);
                    if (vector == null)
                    {
                        return new Num(0);
                    }

                    vectors.Add(vector);
                }

                if (vectorPrimitive.Smoothness == Smoothness.Kink)
                {
                    RecordNonsmooth(target.Name, invocation);
                }

                return new VecCall(vectorPrimitive.Function, EquatableArray.From(vectors));
            }

            if (SymbolEqualityComparer.Default.Equals(target.ContainingType, modelType)
                && ModelShapeReader.HasAttribute(target, ModelShapeReader.DifferentiableAttribute))
            {
                if (SymbolEqualityComparer.Default.Equals(target, method))
                {
                    Report(DiagnosticCatalog.BadHelper, invocation.Syntax.GetLocation(), target.Name, "is recursive; recursion cannot be differentiated");
                    return new Num(0);
                }

                if (!helpers.Contains(target))
                {
                    failed = true; // the declaration carries its own BDSL0015
                    return new Num(0);
                }

                return new HelperCall(HelperKey(target, helpers), LowerArguments(invocation, output));
            }

            return RejectCall(invocation);
        }

        /// <summary>The scalar function a method group names (Dsl.Map's function), applied to <paramref name="args"/>;
        /// null after reporting when it is not one the generator can differentiate.</summary>
        private Expr? ScalarCallOf(IMethodSymbol function, EquatableArray<Expr> args, IInvocationOperation site)
        {
            string container = function.ContainingType?.ToDisplayString() ?? string.Empty;
            bool unaryDouble = function.Parameters.Length == 1 && function.Parameters[0].Type.SpecialType == SpecialType.System_Double
                && function.ReturnType.SpecialType == SpecialType.System_Double;
            bool isMath = container == Primitives.MathType;
            if (unaryDouble && (isMath || container == DslType) && Primitives.Find(dsl: !isMath, function.Name, 1, ScalarType.Double) is { IsMappable: true } primitive)
            {
                return new Call(primitive.Function, args);
            }

            if (unaryDouble && SymbolEqualityComparer.Default.Equals(function.ContainingType, modelType)
                && ModelShapeReader.HasAttribute(function, ModelShapeReader.DifferentiableAttribute) && helpers.Contains(function))
            {
                return new HelperCall(HelperKey(function, helpers), args);
            }

            Report(DiagnosticCatalog.NonDifferentiableCall, site.Syntax.GetLocation(), (function.ContainingType == null ? string.Empty : function.ContainingType.Name + ".") + function.Name
                + " (Dsl.Map takes a smooth Math or Dsl function of one double, or a [Differentiable] helper of one double)");
            return null;
        }

        /// <summary>Dsl.Relu, Hinge, PowAbs and OscarPair, written in terms of Max, Abs and Pow so that their
        /// exact derivatives and their smoothed forms come from those primitives' rules.</summary>
        private Expr? LowerNonsmoothIntrinsic(IInvocationOperation invocation, List<Stmt> output)
        {
            string name = invocation.TargetMethod.Name;
            if (name != "Relu" && name != "Hinge" && name != "PowAbs" && name != "OscarPair")
            {
                return null;
            }

            RecordNonsmooth(name, invocation);
            EquatableArray<Expr> args = LowerArguments(invocation, output);
            switch (name)
            {
                case "Relu":
                    return Simplify.Call(ScalarFunction.Max, args[0], new Num(0));
                case "Hinge":
                    return Simplify.Call(ScalarFunction.Max, new Num(0), new Binary(BinaryOp.Subtract, new Num(1), args[0]));
                case "PowAbs":
                    return Simplify.Call(ScalarFunction.Pow, Simplify.Call(ScalarFunction.Abs, args[0]), args[1]);
                default:
                    // max(|a|, |b|) = (|a + b| + |a - b|) / 2, the form whose smoothing the SPNBO seed uses.
                    Expr sum = Simplify.Call(ScalarFunction.Abs, new Binary(BinaryOp.Add, args[0], args[1]));
                    Expr difference = Simplify.Call(ScalarFunction.Abs, new Binary(BinaryOp.Subtract, args[0], args[1]));
                    return new Binary(BinaryOp.Multiply, new Binary(BinaryOp.Add, sum, difference), new Num(0.5));
            }
        }

        private void RecordNonsmooth(Primitive primitive, IInvocationOperation invocation)
        {
            if (primitive.Smoothness == Smoothness.Kink && invocation.Type?.SpecialType == SpecialType.System_Double)
            {
                RecordNonsmooth(primitive.Function.ToString(), invocation);
                if (ModelShapeReader.RoleOf(method) == LevelRole.Lower && invocation.TargetMethod.ContainingType?.ToDisplayString() == "System.Math")
                {
                    // Info only: Math.Abs/Max/Min work (smoothing applies to them too); Dsl.* states the intent.
                    Report(DiagnosticCatalog.NonsmoothInLowerLevel, invocation.Syntax.GetLocation(), Shorten(invocation.Syntax.ToString()));
                }
            }
        }

        private void RecordNonsmooth(string primitive, IInvocationOperation invocation)
        {
            nonsmooth.Add(new NonsmoothTerm(primitive, LocationText(invocation.Syntax.GetLocation()), Shorten(invocation.Syntax.ToString())));
        }

        /// <summary>file(line,column) of a location, 1-based, the file name without its directory.</summary>
        private static string LocationText(Location syntaxLocation)
        {
            FileLinePositionSpan span = syntaxLocation.GetLineSpan();
            string path = span.Path ?? string.Empty;
            string file = path.Substring(path.LastIndexOfAny(new[] { '/', '\\' }) + 1);
            return file + "(" + (span.StartLinePosition.Line + 1).ToString(CultureInfo.InvariantCulture) + ","
                + (span.StartLinePosition.Character + 1).ToString(CultureInfo.InvariantCulture) + ")";
        }

        private EquatableArray<Expr> LowerArguments(IInvocationOperation invocation, List<Stmt> output) =>
            EquatableArray.From(invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => LowerExpr(a.Value, output)).ToList());

        private Expr RejectCall(IInvocationOperation invocation)
        {
            IMethodSymbol target = invocation.TargetMethod;
            string name = (target.ContainingType == null ? string.Empty : target.ContainingType.Name + ".") + target.Name;
            Report(DiagnosticCatalog.NonDifferentiableCall, invocation.Syntax.GetLocation(), name);
            return new Num(0);
        }
    }
}
