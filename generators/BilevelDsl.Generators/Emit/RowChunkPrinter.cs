using System.Collections.Generic;
using System.Linq;
using BilevelDsl.Generators.Ir;

namespace BilevelDsl.Generators.Emit
{
    /// <summary>
    /// Prints a <see cref="RowChunkLoop"/>: at its place in the program, the hand-over to the runtime
    /// (<c>RowChunkFrame.Run</c>: loop-invariant scalars, the sums' values before the loop, the spans and the
    /// chunk method, whose delegate the model creates once); after the program's method, the chunk method.
    /// </summary>
    internal static class RowChunkPrinter
    {
        private const string Frame = "global::BilevelDsl.Kernels.RowChunkFrame";
        private const string FrameName = "__bilevelFrame", ChunkName = "__bilevelChunk", FromName = "__bilevelFrom", ToName = "__bilevelTo";

        public static void PrintCall(RowChunkLoop loop, IndentedWriter writer)
        {
            for (int k = 0; k < loop.Scalars.Count; k++)
            {
                writer.Line(Frame + ".Current.SetScalar(" + k + ", " + IrPrinter.Name(loop.Scalars[k].Name) + ");");
            }

            for (int k = 0; k < loop.Sums.Count; k++)
            {
                writer.Line(Frame + ".Current.SetSum(" + k + ", " + IrPrinter.Name(loop.Sums[k]) + ");");
            }

            var arguments = new List<string>
            {
                "this." + BodyField(loop) + " ??= this." + loop.Method,
                IrPrinter.Expression(loop.Loop.From),
                IrPrinter.Expression(loop.Loop.To),
            };
            arguments.AddRange(loop.Reads.Select((name, k) => "read" + k + ": " + IrPrinter.Name(name)));
            arguments.AddRange(loop.Shared.Concat(loop.Partials).Select((name, k) => "write" + k + ": " + IrPrinter.Name(name)));
            writer.Line(Frame + ".Current.Run(" + string.Join(", ", arguments) + ");");
            for (int k = 0; k < loop.Sums.Count; k++)
            {
                writer.Line(IrPrinter.Name(loop.Sums[k]) + " = " + Frame + ".Current.Sum(" + k + ");");
            }
        }

        /// <summary>The chunk methods of a program's chunked loops (after the program's own method).</summary>
        public static void WriteMethods(Block program, IndentedWriter writer)
        {
            foreach (RowChunkLoop loop in program.Statements.OfType<RowChunkLoop>())
            {
                WriteMethod(loop, writer);
            }
        }

        private static void WriteMethod(RowChunkLoop loop, IndentedWriter writer)
        {
            writer.Line();
            writer.Line("private global::BilevelDsl.Kernels.RowChunkBody? " + BodyField(loop) + ";");
            writer.Line();
            writer.Line("/// <summary>One chunk of rows of a data loop of the program above: the whole loop body for rows [from, to), its sums and added-to vectors from zero, added to the shared ones in chunk order.</summary>");
            writer.Open("private void " + loop.Method + "(" + Frame + " " + FrameName + ", int " + ChunkName + ", int " + FromName + ", int " + ToName + ")");
            for (int k = 0; k < loop.Reads.Count; k++)
            {
                writer.Line("global::System.ReadOnlySpan<double> " + IrPrinter.Name(loop.Reads[k]) + " = " + FrameName + ".Read(" + k + ");");
            }

            for (int k = 0; k < loop.Shared.Count; k++)
            {
                writer.Line(IrPrinter.Span + " " + IrPrinter.Name(loop.Shared[k]) + " = " + FrameName + ".Write(" + k + ");");
            }

            for (int k = 0; k < loop.Scalars.Count; k++)
            {
                ChunkScalar scalar = loop.Scalars[k];
                writer.Line(IrPrinter.TypeName(scalar.Type) + " " + IrPrinter.Name(scalar.Name) + " = " + (scalar.Type == ScalarType.Int ? "(int)" : string.Empty) + FrameName + ".Scalar(" + k + ");");
            }

            var statements = new List<Stmt>(loop.Buffers);
            statements.Add(loop.Loop with { From = new Var(FromName, ScalarType.Int), To = new Var(ToName, ScalarType.Int) });
            var body = new Block(EquatableArray.From(statements));
            writer.Line("global::BilevelDsl.Kernels.KernelWorkspace " + VectorMemory.Workspace + " = global::BilevelDsl.Kernels.KernelWorkspace.Current;");
            writer.Line("long " + VectorMemory.Mark + " = " + VectorMemory.Workspace + ".Mark;");
            writer.Open("try");
            foreach (string line in VectorMemory.Declarations(body))
            {
                writer.Line(line);
            }

            for (int k = 0; k < loop.Partials.Count; k++)
            {
                writer.Line(IrPrinter.Span + " " + IrPrinter.Name(loop.Partials[k]) + " = " + VectorMemory.Workspace + ".Take(" + FrameName + ".Write(" + (loop.Shared.Count + k) + ").Length);");
            }

            foreach (string sum in loop.Sums)
            {
                writer.Line("double " + IrPrinter.Name(sum) + " = 0.0;");
            }

            IrPrinter.Statements(body, writer);
            writer.Line(FrameName + ".WaitTurn(" + ChunkName + ");");
            for (int k = 0; k < loop.Partials.Count; k++)
            {
                writer.Line(Frame + ".AddInto(" + FrameName + ".Write(" + (loop.Shared.Count + k) + "), " + IrPrinter.Name(loop.Partials[k]) + ");");
            }

            for (int k = 0; k < loop.Sums.Count; k++)
            {
                writer.Line(FrameName + ".AddSum(" + k + ", " + IrPrinter.Name(loop.Sums[k]) + ");");
            }

            writer.Line(FrameName + ".EndTurn(" + ChunkName + ");");
            writer.Close();
            writer.Open("finally");
            writer.Line(VectorMemory.Workspace + ".Release(" + VectorMemory.Mark + ");");
            writer.Close();
            writer.Close();
        }

        private static string BodyField(RowChunkLoop loop) => GeneratedNames.Join(loop.Method, "Body");
    }
}
