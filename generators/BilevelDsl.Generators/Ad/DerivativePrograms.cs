using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Ad
{
    /// <summary>
    /// Every derivative program of one function, with the names of their extra parameters:
    /// the gradient (reverse mode), the Hessian-vector product (tangent mode over the gradient program,
    /// gradient writes dropped) and the fused value + gradient + Hessian-vector program.
    /// Per parameter of the function: its gradient output, its direction and its Hessian-vector output
    /// ("" for int parameters).
    /// </summary>
    internal sealed class DerivativePrograms
    {
        private DerivativePrograms(Function function, List<string> gradients, List<string> directions, List<string> products, DerivativeProgram gradient, Block hessianVector, Block fused)
        {
            Function = function;
            Gradients = gradients;
            Directions = directions;
            Products = products;
            Gradient = gradient;
            HessianVector = hessianVector;
            Fused = fused;
        }

        public Function Function { get; }

        public IReadOnlyList<string> Gradients { get; }

        public IReadOnlyList<string> Directions { get; }

        public IReadOnlyList<string> Products { get; }

        public DerivativeProgram Gradient { get; }

        public Block HessianVector { get; }

        public Block Fused { get; }

        public static DerivativePrograms Build(Function function, IReadOnlyDictionary<string, Function> helpers)
        {
            function = LoopIdioms.Apply(function); // scalar loops that are vector idioms become vector statements
            NameTable names = IrNames.TableFor(function);
            List<string> gradients = function.Parameters.Select(p => p.IsDifferentiable ? names.Fresh(p.Name + "_bar") : string.Empty).ToList();
            List<string> directions = function.Parameters.Select(p => p.IsDifferentiable ? names.Fresh(p.Name + "_dot") : string.Empty).ToList();
            List<string> products = function.Parameters.Select(p => p.IsDifferentiable ? names.Fresh(p.Name + "_bar_dot") : string.Empty).ToList();
            DerivativeProgram gradient = ReverseMode.Gradient(function, gradients, helpers);

            NameTable tangentNames = IrNames.TableFor(function with { Body = gradient.Body });
            foreach (string name in directions.Concat(products).Concat(gradients).Where(n => n.Length > 0))
            {
                tangentNames.Reserve(name);
            }

            var inputs = new List<string>();
            var seeds = new Dictionary<string, string>(System.StringComparer.Ordinal);
            var isVector = new Dictionary<string, bool>(System.StringComparer.Ordinal);
            for (int i = 0; i < function.Parameters.Count; i++)
            {
                Parameter parameter = function.Parameters[i];
                if (!parameter.IsDifferentiable)
                {
                    continue;
                }

                bool vector = parameter.Kind == ParameterKind.Span;
                inputs.Add(parameter.Name);
                seeds[parameter.Name] = directions[i];
                seeds[gradients[i]] = products[i];
                isVector[parameter.Name] = vector;
                isVector[gradients[i]] = vector;
            }

            var dropped = new HashSet<string>(gradients.Where(g => g.Length > 0), System.StringComparer.Ordinal);
            // The Hessian-vector kernel returns nothing: without the value, everything only the value needed
            // (often a whole forward loop) is dead.
            Block tangent = TangentMode.Apply(gradient.Body, Copy(tangentNames), inputs, seeds, isVector, dropped, helpers);
            var withoutValue = tangent.Statements.Where(s => !(s is Return)).ToList();
            List<Stmt> live = DeadCode.EliminateVectors(DeadCode.Eliminate(withoutValue, DeadCode.DeclaredIn(new Block(EquatableArray.From(withoutValue)))));
            Block hessianVector = new Block(EquatableArray.From(DeadCode.Eliminate(live, DeadCode.DeclaredIn(new Block(EquatableArray.From(live))))));
            Block fused = TangentMode.Apply(gradient.Body, Copy(tangentNames), inputs, seeds, isVector, new HashSet<string>(), helpers);
            // Row blocking comes last: tangent mode and dead-code elimination see the per-row loops.
            gradient = gradient with { Body = RowBlocking.Apply(gradient.Body, IrNames.TableFor(function with { Body = gradient.Body })) };
            hessianVector = RowBlocking.Apply(hessianVector, IrNames.TableFor(function with { Body = hessianVector }));
            fused = RowBlocking.Apply(fused, IrNames.TableFor(function with { Body = fused }));
            return new DerivativePrograms(function, gradients, directions, products, gradient, hessianVector, fused);
        }

        private static NameTable Copy(NameTable names) => names.Clone();
    }
}
