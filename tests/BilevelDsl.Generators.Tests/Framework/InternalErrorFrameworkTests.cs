using BilevelDsl.GeneratorTests.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static BilevelDsl.GeneratorTests.Framework.Verifier;

namespace BilevelDsl.GeneratorTests.Framework;

/// <summary>BDSL0012 through the framework. Sets the generator assembly's fault-injection hook, so it runs alone.</summary>
[Collection(nameof(SerialCollection))]
public sealed class InternalErrorFrameworkTests
{
    /// <summary>
    /// An exception while reading one model: the analyzer reports BDSL0012 on the model's name, the generator
    /// reports it without a location (it has no syntax to point at), and the healthy model next to it compiles.
    /// </summary>
    [Fact]
    public async Task BDSL0012_is_on_the_model_name_from_the_analyzer_and_without_location_from_the_generator()
    {
        const string faulty = "FaultInjectedFramework";
        BilevelDsl.Generators.Diagnostics.FaultInjection.ThrowWhileReading = name => name == faulty;
        try
        {
            string message = "fault injected while reading " + faulty;
            await AnalyzeAsync(Sources.Header + $$"""
                [BilevelModel]
                public partial class {|#0:{{faulty}}|}
                {
                    [UpperLevel]
                    public double Upper(double x, double y) { return x * y; }

                    [LowerLevel]
                    public double Lower(double x, double y) { return (y - x) * (y - x); }
                }

                [BilevelModel]
                public partial class Healthy
                {
                    [UpperLevel]
                    public double Upper(double x, double y) { return x * y; }

                    [LowerLevel]
                    public double Lower(double x, double y) { return (y - x) * (y - x); }

                    public static IBilevelKernels Kernels() => new Healthy();
                }
                """,
                Diagnostic("BDSL0012").WithNoLocation().WithArguments("Fw." + faulty, "InvalidOperationException: " + message),
                Diagnostic("BDSL0012").WithLocation(0).WithArguments(faulty, "InvalidOperationException: " + message));
        }
        finally
        {
            BilevelDsl.Generators.Diagnostics.FaultInjection.ThrowWhileReading = null;
        }
    }
}
