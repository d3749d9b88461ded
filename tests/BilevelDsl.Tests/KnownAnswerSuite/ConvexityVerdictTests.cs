using Xunit;
using Xunit.Abstractions;

namespace BilevelDsl.Tests.KnownAnswerSuite;

/// <summary>
/// Acceptance 2 of issue 13 on the known-answer suite: the compile-time convexity verdict of every problem's lower level
/// (objective, constraints, domain) agrees with the class recorded for it. No Convex or StronglyConvex verdict on a
/// lower level recorded nonconvex, no StronglyConvex verdict on one recorded convex only, no Nonconvex verdict on a
/// convex one. Prints the table for docs/convexity.md.
/// </summary>
public sealed class ConvexityVerdictTests(ITestOutputHelper output)
{
    [Fact]
    public void VerdictsAgreeWithTheRecordedClasses()
    {
        var wrong = new List<string>();
        var counts = new Dictionary<(LowerClass, ConvexityVerdict), int>();
        foreach (KnownAnswerProblem p in KnownAnswerCatalogue.All)
        {
            LowerConvexity verdict = p.Create().Info.Lower.Convexity.Resolve();
            counts[(p.Lower, verdict.Verdict)] = counts.GetValueOrDefault((p.Lower, verdict.Verdict)) + 1;
            output.WriteLine($"| {p.Id} | {p.ClassLabel} | {verdict.Verdict} | {verdict.Reason.Replace("|", "\\|", StringComparison.Ordinal)} |");
            bool agrees = p.Lower switch
            {
                LowerClass.Nonconvex => verdict.Verdict is ConvexityVerdict.Nonconvex or ConvexityVerdict.Unknown,
                LowerClass.Convex => verdict.Verdict is ConvexityVerdict.Convex or ConvexityVerdict.Unknown,
                _ => verdict.Verdict is not ConvexityVerdict.Nonconvex,
            };
            if (!agrees)
            {
                wrong.Add($"{p.Id}: recorded {p.Lower}, verdict {verdict.Describe()}");
            }
        }

        foreach (var entry in counts.OrderBy(e => e.Key.Item1).ThenBy(e => e.Key.Item2))
        {
            output.WriteLine($"recorded {entry.Key.Item1}, verdict {entry.Key.Item2}: {entry.Value}");
        }

        Assert.True(wrong.Count == 0, string.Join(Environment.NewLine, wrong));

        // The analysis proves something on the suite, not only "unknown".
        Assert.True(counts.Where(e => e.Key.Item1 == LowerClass.StronglyConvex && e.Key.Item2 == ConvexityVerdict.StronglyConvex).Sum(e => e.Value) >= 5);
    }
}
