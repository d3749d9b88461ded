using System.Collections.Generic;
using BilevelDsl.Generators.Frontend;

namespace BilevelDsl.Generators.Ir
{
    /// <summary>Collects every name an IR function uses, so derivative passes can add names that clash with none.</summary>
    internal static class IrNames
    {
        public static NameTable TableFor(Function function)
        {
            var used = new List<string>();
            foreach (Parameter parameter in function.Parameters)
            {
                used.Add(parameter.Name);
            }

            foreach (DataSymbol data in function.Data)
            {
                used.Add(data.Access);
            }

            Collect(function.Body, used);
            return new NameTable(used);
        }

        private static void Collect(Block block, List<string> used)
        {
            foreach (Stmt statement in block.Statements)
            {
                switch (statement)
                {
                    case Assign a:
                        used.Add(a.Target);
                        break;
                    case Declare d:
                        used.Add(d.Name);
                        break;
                    case AddTo add:
                        used.Add(add.Target);
                        break;
                    case HelperPartials h:
                        used.AddRange(h.Outputs);
                        break;
                    case If branch:
                        Collect(branch.Then, used);
                        Collect(branch.Else, used);
                        break;
                    case For loop:
                        used.Add(loop.Index);
                        Collect(loop.Body, used);
                        break;
                }
            }
        }
    }
}
