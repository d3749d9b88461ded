using System.Text;

namespace BilevelDsl.Generators.Emit
{
    /// <summary>Writes C# with four-space indentation and '\n' line ends (deterministic on every OS).</summary>
    internal sealed class IndentedWriter
    {
        private readonly StringBuilder builder = new StringBuilder();
        private int depth;

        public void Line(string text = "")
        {
            if (text.Length > 0)
            {
                builder.Append(' ', depth * 4);
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
