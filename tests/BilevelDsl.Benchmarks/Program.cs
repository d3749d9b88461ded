using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/BilevelDsl.Benchmarks -- --filter '*' [--job short]
// dotnet run -c Release --project tests/BilevelDsl.Benchmarks -- time [calls]   (KernelTiming: plain timing loop)
if (args.Length > 0 && args[0] == "time")
{
    BilevelDsl.Benchmarks.KernelTiming.Run(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(BilevelDsl.Benchmarks.LogisticGradientBenchmarks).Assembly).Run(args);
