using System.Text;
using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BilevelDsl.GeneratorTests.GeneratedCode;

/// <summary>
/// The generated file of each representative model is compared with
/// tests/BilevelDsl.Generators.Tests/Snapshots/&lt;Name&gt;.g.cs.txt. Set BDSL_UPDATE_SNAPSHOTS=1 to (re)write the
/// snapshots instead; review every changed snapshot before committing it.
/// </summary>
public sealed class SnapshotTests
{
    public const string UpdateVariable = "BDSL_UPDATE_SNAPSHOTS";

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (ModelSpec m in SnapshotModels.All)
        {
            data.Add(m.Name);
        }

        return data;
    }

    /// <summary>Runs the generator over all snapshot models at once (one file each).</summary>
    public static GeneratorRun RunSnapshotModels() =>
        GeneratorHarness.RunChecked(References.Compile(SnapshotModels.All.Select(m => References.Parse(m.ToSource(), m.FileName))));

    [Theory]
    [MemberData(nameof(Names))]
    public void Generated_code_matches_the_snapshot(string name)
    {
        ModelSpec spec = SnapshotModels.All.Single(m => m.Name == name);
        GeneratorRun run = RunSnapshotModels();
        var files = run.GeneratedSources
            .Where(s => s.HintName.StartsWith(spec.FullTypeName + ".", StringComparison.Ordinal))
            .ToList();
        Assert.True(files.Count > 0,
            $"No generated file for {spec}; expected hint name {spec.HintName}. Generated: {string.Join(", ", run.GeneratedSources.Select(s => s.HintName))}");
        Assert.Contains(files, f => f.HintName == spec.HintName);

        bool update = Environment.GetEnvironmentVariable(UpdateVariable) == "1";
        var failures = new List<string>();
        foreach (GeneratedSourceResult file in files)
        {
            string snapshotName = files.Count == 1
                ? spec.Name + ".g.cs.txt"
                : file.HintName.Substring(spec.Namespace.Length + 1) + ".txt";
            string path = Path.Combine(RepoPaths.Snapshots, snapshotName);
            string actual = Normalize(file.SourceText.ToString());
            if (update)
            {
                Directory.CreateDirectory(RepoPaths.Snapshots);
                File.WriteAllText(path, actual, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                continue;
            }

            if (!File.Exists(path))
            {
                failures.Add($"Snapshot {path} does not exist. Run the tests once with {UpdateVariable}=1 to create it, " +
                             "then review the file and commit it. Generated text:" + Environment.NewLine + actual);
                continue;
            }

            string expected = Normalize(File.ReadAllText(path));
            if (expected != actual)
            {
                failures.Add($"{file.HintName} differs from {path} ({FirstDifference(expected, actual)}). If the change is intended, " +
                             $"rerun with {UpdateVariable}=1 and review the diff.{Environment.NewLine}--- actual ---{Environment.NewLine}{actual}");
            }
        }

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    private static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    private static string FirstDifference(string expected, string actual)
    {
        string[] e = expected.Split('\n');
        string[] a = actual.Split('\n');
        for (int i = 0; i < Math.Max(e.Length, a.Length); i++)
        {
            string el = i < e.Length ? e[i] : "<end of file>";
            string al = i < a.Length ? a[i] : "<end of file>";
            if (el != al)
            {
                return $"line {i + 1}: expected `{el}`, actual `{al}`";
            }
        }

        return "no line differs";
    }
}
