using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/BilevelDsl.Benchmarks -- --filter '*' [--job short]
BenchmarkSwitcher.FromAssembly(typeof(BilevelDsl.Benchmarks.LogisticGradientBenchmarks).Assembly).Run(args);
