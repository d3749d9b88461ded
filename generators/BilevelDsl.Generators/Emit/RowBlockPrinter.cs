using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Emit
{
    /// <summary>Prints a <see cref="RowBlockLoop"/>: the block loop, the runtime's block kernels around the per-row loop.</summary>
    internal static class RowBlockPrinter
    {
        public const string Kernels = "global::BilevelDsl.Kernels.RowBlockKernels";

        public static void Print(RowBlockLoop loop, IndentedWriter writer)
        {
            string start = IrPrinter.Name(loop.BlockStart), end = IrPrinter.Name(loop.BlockEnd);
            string to = IrPrinter.Expression(loop.To);
            writer.Open("for (int " + start + " = " + IrPrinter.Expression(loop.From) + "; " + start + " < " + IrPrinter.Expression(loop.To, 51) + "; " + start + " += " + Kernels + ".BlockRows)");
            writer.Line("int " + end + " = " + IrPrinter.Math + ".Min(" + start + " + " + Kernels + ".BlockRows, " + to + ");");
            foreach (BlockProduct product in loop.Products)
            {
                writer.Line(Kernels + ".MultiplyRows(" + IrPrinter.Name(product.Buffer) + ", " + IrPrinter.Matrix(product.Matrix) + ", " + IrPrinter.Name(product.Data) + ", " + start + ", " + end + ");");
            }

            IrPrinter.Statement(loop.Inner, writer);
            foreach (BlockUpdate update in loop.Updates)
            {
                MatRef target = update.Target;
                string rows = IrPrinter.Expression(target.Rows!), columns = IrPrinter.Expression(target.Columns!);
                writer.Line(Kernels + ".AddOuterRows(" + IrPrinter.Name(target.Name) + ".Slice(" + IrPrinter.Expression(target.Offset!) + ", " + IrPrinter.Expression(target.Rows!, 71) + " * " + IrPrinter.Expression(target.Columns!, 71) + "), "
                    + rows + ", " + columns + ", " + IrPrinter.Name(update.Buffer) + ", " + IrPrinter.Name(update.Data) + ", " + start + ", " + end + ");");
            }

            writer.Close();
        }
    }
}
