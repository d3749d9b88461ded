using Microsoft.CodeAnalysis.Text;

namespace BilevelDsl.GeneratorTests.Diagnostics;

/// <summary>
/// Source text with [| |] markers around the offending node(s). A diagnostic "covers the offending node" when
/// its location contains at least one marked span; several markers give the acceptable alternatives (e.g. the
/// `while` keyword, or a method's name and its return type), so the test does not pin where exactly inside the
/// offending construct the analyzer puts the squiggle.
/// </summary>
public sealed class MarkedSource
{
    private MarkedSource(string text, IReadOnlyList<TextSpan> spans)
    {
        Text = text;
        Spans = spans;
    }

    public string Text { get; }

    public IReadOnlyList<TextSpan> Spans { get; }

    public static MarkedSource Parse(string marked)
    {
        var text = new System.Text.StringBuilder();
        var spans = new List<TextSpan>();
        int i = 0;
        while (i < marked.Length)
        {
            int open = marked.IndexOf("[|", i, StringComparison.Ordinal);
            if (open < 0)
            {
                text.Append(marked, i, marked.Length - i);
                break;
            }

            int close = marked.IndexOf("|]", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ArgumentException("Unclosed [| marker in: " + marked);
            }

            text.Append(marked, i, open - i);
            int start = text.Length;
            text.Append(marked, open + 2, close - open - 2);
            spans.Add(TextSpan.FromBounds(start, text.Length));
            i = close + 2;
        }

        return new MarkedSource(text.ToString(), spans);
    }

    public string Describe(TextSpan span) => $"[{span.Start}..{span.End}) `{Text.Substring(span.Start, span.Length)}`";
}
