using System.Collections.Immutable;
using BilevelDsl.CodeFixes;
using BilevelDsl.GeneratorTests.Harness;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace BilevelDsl.GeneratorTests.Diagnostics;

/// <summary>The BDSL0001 code fix, applied in an AdhocWorkspace.</summary>
public sealed class CodeFixTests
{
    [Theory]
    [InlineData("public class Fixable", "Fixable")]
    [InlineData("public sealed class Fixable", "Fixable")]
    [InlineData("internal class Fixable(double scale)", "Fixable")]
    public async Task Make_partial_adds_the_modifier_and_the_diagnostic_disappears(string declaration, string typeName)
    {
        string source = $$"""
            using System;
            using BilevelDsl;

            namespace Fix;

            /// <summary>A model.</summary>
            [BilevelModel]
            {{declaration}}
            {
                [UpperLevel]
                public double Upper(double x, double y) { return x * y + y * y; }

                [LowerLevel]
                public double Lower(double x, double y) { return (y - x) * (y - x); }
            }
            """;

        using var workspace = new AdhocWorkspace();
        ProjectId projectId = ProjectId.CreateNewId();
        DocumentId documentId = DocumentId.CreateNewId(projectId);
        Solution solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(projectId, VersionStamp.Create(), "Fix", "Fix", LanguageNames.CSharp,
                compilationOptions: References.CompilationOptions, parseOptions: References.ParseOptions,
                metadataReferences: References.All))
            .AddDocument(documentId, "Fixable.cs", SourceText.From(source));
        Document document = solution.GetDocument(documentId)!;

        Compilation compilation = (await document.Project.GetCompilationAsync())!;
        Diagnostic diagnostic = Assert.Single((await AnalyzerHarness.RunAsync(compilation)).Where(d => d.Id == "BDSL0001"));

        var provider = new MakePartialCodeFixProvider();
        Assert.Contains("BDSL0001", provider.FixableDiagnosticIds);
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        CodeAction fix = Assert.Single(actions);

        ImmutableArray<CodeActionOperation> operations = await fix.GetOperationsAsync(CancellationToken.None);
        Solution fixedSolution = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
        Document fixedDocument = fixedSolution.GetDocument(documentId)!;
        SyntaxNode root = (await fixedDocument.GetSyntaxRootAsync())!;
        ClassDeclarationSyntax type = root.DescendantNodes().OfType<ClassDeclarationSyntax>().Single(c => c.Identifier.Text == typeName);
        Assert.Contains(type.Modifiers, m => m.IsKind(SyntaxKind.PartialKeyword));
        string fixedText = (await fixedDocument.GetTextAsync()).ToString();
        Assert.Contains("/// <summary>A model.</summary>", fixedText, StringComparison.Ordinal); // trivia kept

        Compilation fixedCompilation = (await fixedDocument.Project.GetCompilationAsync())!;
        var after = AnalyzerHarness.Bdsl(await AnalyzerHarness.RunAsync(fixedCompilation));
        Assert.True(after.Length == 0, "After the fix: " + GeneratorHarness.Format(after));
        GeneratorRun run = GeneratorHarness.RunChecked(fixedCompilation);
        var errors = run.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The fixed model does not compile with its generated code:" + Environment.NewLine +
                                       fixedText + Environment.NewLine + GeneratorHarness.Format(errors));
    }
}
