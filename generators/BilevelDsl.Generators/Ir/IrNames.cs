using System.Collections.Generic;
using System.Linq;

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

            used.AddRange(IrWalker.Definitions(function.Body, intoLoops: true).Select(d => d.Name));
            IrWalker.VisitStatements(function.Body, statement =>
            {
                switch (statement)
                {
                    case For loop:
                        used.Add(loop.Index);
                        break;
                    case VecLocal local:
                        used.Add(local.Name);
                        break;
                    case VecStore store:
                        used.Add(store.Name);
                        break;
                    case SpanAlias alias:
                        used.Add(alias.Name);
                        break;
                }
            });
            return new NameTable(used);
        }
    }
}
