using System.Diagnostics;
using BilevelDsl;
using BilevelDsl.Solvers;
using BilevelDsl.Solvers.Inner;
using HyperCleaningSample;

// The hyper-cleaning lower level at FashionMNIST shape (5,000 training and 5,000 validation samples of 784
// features, 10 classes; random data here: the experiments tool reads the real set), solved with AID-CG for
// 10 outer iterations (10 lower-level steps and 10 CG steps each, Adam on x), printing the time per outer
// iteration. Pass --quick for a 500-sample run.
bool quick = args.Contains("--quick");
int rows = quick ? 500 : 5000, features = 784, classes = 10;
var random = new Random(7);
(Matrix X, int[] Y) Data(int n)
{
    // Class means plus noise, with half the training labels replaced by a different class in the caller.
    var means = new double[classes * features];
    var meanRandom = new Random(11);
    for (int i = 0; i < means.Length; i++)
    {
        means[i] = meanRandom.NextDouble() < 0.1 ? 1.0 : 0.0;
    }

    var data = new double[n * features];
    var labels = new int[n];
    for (int i = 0; i < n; i++)
    {
        labels[i] = random.Next(classes);
        for (int j = 0; j < features; j++)
        {
            data[(i * features) + j] = means[(labels[i] * features) + j] + (0.5 * random.NextDouble()) - 0.25;
        }
    }

    return (new Matrix(n, features, data), labels);
}

(Matrix trainX, int[] trainY) = Data(rows);
(Matrix valX, int[] valY) = Data(rows);
for (int i = 0; i < rows; i += 2)
{
    trainY[i] = (trainY[i] + 1 + random.Next(classes - 1)) % classes;   // corrupt half of the labels
}

var model = new HyperCleaning(trainX, trainY, valX, valY, classes);
var options = new AidCgOptions
{
    MaxIterations = 10,
    CgMaxIterations = 10,
    LowerLevel = new LowerSolverOptions { MaxSteps = 10 },
    Optimizer = new UpperOptimizerOptions { Kind = UpperOptimizerKind.Adam, StepSize = 0.1 },
};
var stopwatch = Stopwatch.StartNew();
BilevelResult result = new AidCgSolver(options).Solve(model, new double[rows], new double[classes * features]);
stopwatch.Stop();

int cleanKept = 0, corruptDropped = 0;
for (int i = 0; i < rows; i++)
{
    bool keep = result.X[i] > 0;
    cleanKept += i % 2 == 1 && keep ? 1 : 0;
    corruptDropped += i % 2 == 0 && !keep ? 1 : 0;
}

Console.WriteLine($"AID-CG, {result.Iterations} outer iterations on {rows} x {features}, {classes} classes: {result.Status}");
Console.WriteLine($"validation cross-entropy {result.UpperValue:F4}; clean samples kept {cleanKept}/{rows / 2}, corrupted samples down-weighted {corruptDropped}/{rows / 2}");
Console.WriteLine($"seconds per outer iteration: {stopwatch.Elapsed.TotalSeconds / Math.Max(result.Iterations, 1):F3}");
if (result.Iterations == 0 || !double.IsFinite(result.UpperValue))
{
    Console.Error.WriteLine("the solver did not run: " + result.Message);
    return 1;
}

return 0;
