using System.Reflection;
using BilevelDsl.GeneratorTests.Harness;
using Xunit;

namespace BilevelDsl.GeneratorTests.Diagnostics;

[CollectionDefinition(nameof(SerialCollection), DisableParallelization = true)]
public sealed class SerialCollection;

/// <summary>Changes global state of the generator assembly, so it runs alone.</summary>
[Collection(nameof(SerialCollection))]
public sealed class InternalErrorTests
{
    /// <summary>
    /// BDSL0012 (internal error) cannot be triggered from source. If the generator assembly exposes a test hook
    /// (an internal static Action/Func whose name contains "Hook" or "Fault") the hook is used to make the front
    /// end throw and the test checks that the exception becomes BDSL0012 instead of escaping; otherwise only the
    /// descriptor is checked (by Descriptor_matches_the_catalogue).
    /// </summary>
    [Fact]
    public async Task An_internal_exception_becomes_BDSL0012_when_a_test_hook_exists()
    {
        var hooks = typeof(BilevelModelGenerator).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
                .Where(f => typeof(Delegate).IsAssignableFrom(f.FieldType)
                            && (f.Name.Contains("Hook", StringComparison.OrdinalIgnoreCase) || f.Name.Contains("Fault", StringComparison.OrdinalIgnoreCase))))
            .ToList();
        if (hooks.Count != 1 || hooks[0].FieldType != typeof(Action) && hooks[0].FieldType != typeof(Action<string>))
        {
            Assert.Contains(DescriptorTests.Catalogue(), d => d.Id == "BDSL0012");
            return;
        }

        FieldInfo hook = hooks[0];
        object? saved = hook.GetValue(null);
        Delegate thrower = hook.FieldType == typeof(Action)
            ? new Action(() => throw new InvalidOperationException("injected"))
            : new Action<string>(_ => throw new InvalidOperationException("injected"));
        try
        {
            hook.SetValue(null, thrower);
            var spec = new ModelSpec { Name = "Faulty", Namespace = "Diag", Kind = ModelKind.Scalar, Upper = "return x * y;", Lower = "return (y - x) * (y - x);" };
            GeneratorRun run = GeneratorHarness.RunChecked(References.Compile(spec.ToSource()));
            var analyzer = await AnalyzerHarness.RunAsync(run.Output);
            Assert.Contains(run.GeneratorDiagnostics.Concat(analyzer), d => d.Id == "BDSL0012");
        }
        finally
        {
            hook.SetValue(null, saved);
        }
    }
}
