using System.Text;

namespace BilevelDsl.Generators.Emit
{
    /// <summary>
    /// Writes C# with four-space indentation and '\n' line ends (deterministic on every OS). Indentation stops
    /// growing at <see cref="MaxIndentDepth"/> levels: each early-return guard nests the rest of a body one level
    /// deeper, and uncapped indentation made the file quadratic in the number of guards (1.9 MB at 64).
    /// </summary>
    internal sealed class IndentedWriter
    {
        /// <summary>Deeper blocks are printed at this depth (a file stays linear in the body).</summary>
        public const int MaxIndentDepth = 16;

        private readonly StringBuilder builder = new StringBuilder();
        private int depth;

        public void Line(string text = "")
        {
            if (text.Length > 0)
            {
                builder.Append(' ', System.Math.Min(depth, MaxIndentDepth) * 4);
                builder.Append(text);
            }

            builder.Append('\n');
        }

        public void Open(string header)
        {
            Line(header);
            Line("{");
            depth++;
        }

        public void Close(string suffix = "")
        {
            depth--;
            Line("}" + suffix);
        }

        public override string ToString() => builder.ToString();
    }
}
