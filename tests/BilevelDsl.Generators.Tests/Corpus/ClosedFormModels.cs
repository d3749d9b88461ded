using BilevelDsl.GeneratorTests.Harness;

namespace BilevelDsl.GeneratorTests.Corpus;

/// <summary>
/// Hyperparameter-tuning models whose gradients have closed forms. x = [log lambda], y = w (4 weights);
/// training data (12 rows) and validation data (8 rows) come from a seeded generator and reach the model
/// through its primary constructor.
/// </summary>
public static class ClosedFormModels
{
    public const int Features = 4;

    public static readonly Dataset Data = Dataset.Create(seed: 20241123, trainRows: 12, validRows: 8);

    /// <summary>
    /// Ridge: lower f = (1/N) sum (a_i.w - b_i)^2 + exp(l) ||w||^2, upper F = (1/Nv) sum (av_i.w - bv_i)^2.
    /// </summary>
    public static readonly ModelSpec Ridge = new()
    {
        Name = "C01_Ridge",
        Covers = "ridge regression (closed form)",
        XLength = 1,
        YLength = Features,
        PrimaryConstructor = "(Matrix trainA, double[] trainB, Matrix validA, double[] validB)",
        ConstructorArguments = () => Data.Arguments(),
        Upper = """
            double s = 0;
            for (int i = 0; i < validA.Rows; i++)
            {
                double r = Dsl.Dot(validA.Row(i), y) - validB[i];
                s += r * r;
            }
            return s / validA.Rows;
            """,
        Lower = """
            double s = 0;
            for (int i = 0; i < trainA.Rows; i++)
            {
                double r = Dsl.Dot(trainA.Row(i), y) - trainB[i];
                s += r * r;
            }
            return s / trainA.Rows + Math.Exp(x[0]) * Dsl.SquaredNorm(y);
            """,
    };

    /// <summary>
    /// L2-regularised logistic loss with labels b_i in {-1, +1}: lower f = (1/N) sum softplus(-b_i a_i.w)
    /// + exp(l)/2 ||w||^2, upper F = (1/Nv) sum log(1 + exp(-bv_i av_i.w)) (written out with Math).
    /// </summary>
    public static readonly ModelSpec Logistic = new()
    {
        Name = "C02_Logistic",
        Covers = "l2-regularised logistic loss (closed form)",
        XLength = 1,
        YLength = Features,
        PrimaryConstructor = "(Matrix trainA, double[] trainB, Matrix validA, double[] validB)",
        ConstructorArguments = () => Data.Arguments(sign: true),
        Upper = """
            double s = 0;
            for (int i = 0; i < validA.Rows; i++)
            {
                double z = validB[i] * Dsl.Dot(validA.Row(i), y);
                s += Math.Log(1 + Math.Exp(-z));
            }
            return s / validA.Rows;
            """,
        Lower = """
            double s = 0;
            for (int i = 0; i < trainA.Rows; i++)
            {
                double z = trainB[i] * Dsl.Dot(trainA.Row(i), y);
                s += Dsl.Softplus(-z);
            }
            return s / trainA.Rows + 0.5 * Math.Exp(x[0]) * Dsl.SquaredNorm(y);
            """,
    };

    public static IEnumerable<ModelSpec> All => new[] { Ridge, Logistic };

    public sealed record Dataset(double[][] TrainA, double[] TrainB, double[][] ValidA, double[] ValidB)
    {
        public static Dataset Create(int seed, int trainRows, int validRows)
        {
            var rng = new Random(seed);
            double[][] Rows(int n) => Enumerable.Range(0, n)
                .Select(_ => Enumerable.Range(0, Features).Select(_ => 2 * rng.NextDouble() - 1).ToArray())
                .ToArray();
            double[] Targets(int n) => Enumerable.Range(0, n).Select(_ => 3 * rng.NextDouble() - 1.5).ToArray();
            return new Dataset(Rows(trainRows), Targets(trainRows), Rows(validRows), Targets(validRows));
        }

        /// <summary>Constructor arguments; with <paramref name="sign"/> the targets become labels -1/+1.</summary>
        public object?[] Arguments(bool sign = false)
        {
            double[] Labels(double[] b) => sign ? b.Select(v => v >= 0 ? 1.0 : -1.0).ToArray() : b.ToArray();
            return new object?[]
            {
                Matrix.FromRows(TrainA), Labels(TrainB), Matrix.FromRows(ValidA), Labels(ValidB),
            };
        }
    }
}
