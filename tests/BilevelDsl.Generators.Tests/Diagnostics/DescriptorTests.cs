using System.Reflection;
using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Xunit;

namespace BilevelDsl.GeneratorTests.Diagnostics;

/// <summary>The catalogue: IDs, severities, categories, help links and their documentation pages.</summary>
public sealed class DescriptorTests
{
    private static readonly (string Id, DiagnosticSeverity Severity)[] Expected =
    {
        ("BDSL0001", DiagnosticSeverity.Error), ("BDSL0002", DiagnosticSeverity.Error), ("BDSL0003", DiagnosticSeverity.Error),
        ("BDSL0004", DiagnosticSeverity.Error), ("BDSL0005", DiagnosticSeverity.Error), ("BDSL0006", DiagnosticSeverity.Error),
        ("BDSL0007", DiagnosticSeverity.Error), ("BDSL0008", DiagnosticSeverity.Error), ("BDSL0009", DiagnosticSeverity.Error),
        ("BDSL0010", DiagnosticSeverity.Warning), ("BDSL0011", DiagnosticSeverity.Warning), ("BDSL0012", DiagnosticSeverity.Error),
        ("BDSL0013", DiagnosticSeverity.Error), ("BDSL0014", DiagnosticSeverity.Error), ("BDSL0015", DiagnosticSeverity.Error),
        ("BDSL0016", DiagnosticSeverity.Error),
    };

    /// <summary>The sixteen IDs of the contract plus any the catalogue has added since.</summary>
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (string id in Expected.Select(e => e.Id).Union(Catalogue().Select(d => d.Id)).OrderBy(i => i, StringComparer.Ordinal))
        {
            data.Add(id);
        }

        return data;
    }

    /// <summary>Every DiagnosticDescriptor the catalogue class exposes (static fields and properties, any visibility).</summary>
    public static IReadOnlyList<DiagnosticDescriptor> Catalogue()
    {
        Type catalog = typeof(BilevelModelGenerator).Assembly.GetType("BilevelDsl.Generators.Diagnostics.DiagnosticCatalog")
            ?? throw new InvalidOperationException("BilevelDsl.Generators.Diagnostics.DiagnosticCatalog not found");
        const BindingFlags flags = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic;
        var values = catalog.GetFields(flags).Select(f => f.GetValue(null))
            .Concat(catalog.GetProperties(flags).Where(p => p.GetIndexParameters().Length == 0).Select(p => p.GetValue(null)));
        var descriptors = new List<DiagnosticDescriptor>();
        foreach (object? value in values)
        {
            if (value is DiagnosticDescriptor d)
            {
                descriptors.Add(d);
            }
            else if (value is IEnumerable<DiagnosticDescriptor> many)
            {
                descriptors.AddRange(many);
            }
        }

        return descriptors.Distinct().ToList();
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Descriptor_matches_the_catalogue(string id)
    {
        var descriptors = Catalogue().Where(d => d.Id == id).ToList();
        Assert.True(descriptors.Count == 1, $"{id}: {descriptors.Count} descriptors");
        DiagnosticDescriptor d = descriptors[0];
        if (Expected.Any(e => e.Id == id))
        {
            Assert.Equal(Expected.Single(e => e.Id == id).Severity, d.DefaultSeverity);
        }

        Assert.Matches("^BDSL[0-9]{4}$", id);
        Assert.Equal("BilevelDsl", d.Category);
        Assert.True(d.IsEnabledByDefault);
        Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString()));
        Assert.False(string.IsNullOrWhiteSpace(d.MessageFormat.ToString()));
        Assert.Equal($"https://github.com/BilevelDsl/BilevelDsl/blob/main/docs/diagnostics/{id}.md", d.HelpLinkUri);
        Assert.EndsWith($"docs/diagnostics/{id}.md", d.HelpLinkUri, StringComparison.Ordinal);
        string page = Path.Combine(RepoPaths.DiagnosticDocs, id + ".md");
        Assert.True(File.Exists(page), $"{page} does not exist");
        Assert.Contains(id, File.ReadAllText(page), StringComparison.Ordinal);
    }

    [Fact]
    public void The_catalogue_has_the_sixteen_contract_ids_each_once()
    {
        var ids = Catalogue().Select(d => d.Id).ToList();
        Assert.Empty(Expected.Select(e => e.Id).Except(ids));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void The_analyzer_supports_every_front_end_diagnostic()
    {
        var supported = new BilevelModelAnalyzer().SupportedDiagnostics.Select(d => d.Id).ToHashSet();
        var missing = Expected.Select(e => e.Id).Where(id => id != "BDSL0012" && !supported.Contains(id)).ToList();
        Assert.True(missing.Count == 0, "The analyzer does not declare: " + string.Join(", ", missing));
    }
}
