using BilevelDsl.Experiments.Cli;
using BilevelDsl.Experiments.Experiments;
using Xunit;

namespace BilevelDsl.Experiments.Tests;

/// <summary>Defaults that depend on an experiment's own options: hyperclean's 2-layer network.</summary>
public sealed class DefaultsTests
{
    private static ExperimentDefaults Resolve(Experiment experiment, string arguments)
    {
        var command = ExperimentCommand.Create(experiment, new CommonOptions(), () => CancellationToken.None);
        var parse = command.Parse(arguments);
        Assert.Empty(parse.Errors);
        return experiment.Defaults(arguments.Contains("--quick", StringComparison.Ordinal), parse);
    }

    [Fact]
    public void TheTwoLayerNetworkLeavesOutAidCgWhichRefusesItsIndefiniteLowerLevel()
    {
        var hyperclean = new Hyperclean();
        ExperimentDefaults quick = Resolve(hyperclean, "--quick --model two-layer");
        Assert.Equal(["rhg", "bda"], quick.Methods);
        Assert.Equal(100, quick.Outer);
        Assert.Equal(hyperclean.Defaults(true).Train, quick.Train);

        ExperimentDefaults full = Resolve(hyperclean, "--model two-layer");
        Assert.Equal(["bvfim", "rhg", "trhg", "aid-neumann", "bda"], full.Methods);
        Assert.Equal(hyperclean.Defaults(false).Outer, full.Outer);
    }

    [Fact]
    public void TheLinearModelKeepsTheExperimentsDefaults()
    {
        var hyperclean = new Hyperclean();
        foreach ((bool quick, string arguments) in new[] { (true, "--quick"), (false, "--model linear") })
        {
            ExperimentDefaults expected = hyperclean.Defaults(quick), actual = Resolve(hyperclean, arguments);
            Assert.Equal(expected.Methods, actual.Methods);
            Assert.Equal(expected with { Methods = actual.Methods, MethodLr = actual.MethodLr }, actual);
        }
    }
}
