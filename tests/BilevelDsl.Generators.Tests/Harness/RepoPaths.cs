namespace BilevelDsl.GeneratorTests.Harness;

/// <summary>Paths inside the repository, found from the test's output directory.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder that contains BilevelDsl.sln.</summary>
    public static string Root => LazyRoot.Value;

    public static string TestProject => Path.Combine(Root, "tests", "BilevelDsl.Generators.Tests");

    public static string Snapshots => Path.Combine(TestProject, "Snapshots");

    public static string DiagnosticDocs => Path.Combine(Root, "docs", "diagnostics");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "BilevelDsl.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No BilevelDsl.sln above {AppContext.BaseDirectory}.");
    }
}
