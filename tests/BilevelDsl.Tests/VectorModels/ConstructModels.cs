namespace BilevelDsl.Tests.VectorModels;

/// <summary>Every vector construct in one model: Softmax, MatVec and MatTVec of data and of views, Map, Axpy
/// accumulated over a loop, an element-by-element fill, slices of x and y, and a view's entries and rows.</summary>
[BilevelModel]
public partial class VectorConstructs(Matrix a)
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int m = a.Rows, n = a.Columns;
        Span<double> p = stackalloc double[n];
        Dsl.Softmax(y, p);
        Span<double> q = stackalloc double[m];
        Dsl.MatVec(a, p, q);
        Span<double> r = stackalloc double[n];
        Dsl.MatTVec(a, x, r);
        Span<double> u = stackalloc double[n];
        Dsl.Map(r, u, Math.Tanh);
        Span<double> acc = stackalloc double[n];
        for (int i = 0; i < m; i++)
        {
            Dsl.Axpy(x[i], a.Row(i), acc);
        }

        Span<double> f = stackalloc double[m];
        for (int k = 0; k < m; k++)
        {
            f[k] = Dsl.Dot(a.Row(k), y) * x[k];
        }

        return Dsl.Dot(q, x) + Dsl.Sum(u) + Dsl.Dot(acc, y.Slice(0, n)) + Dsl.SquaredNorm(f) + Dsl.Dot(y.Slice(1, n - 1), u.Slice(0, n - 1));
    }

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int half = y.Length / 2;
        var V = Dsl.Reshape(y, 2, half);
        Span<double> w = stackalloc double[2];
        Dsl.MatVec(V, x.Slice(0, half), w);
        Span<double> g = stackalloc double[y.Length / 2];
        Dsl.MatTVec(V, w, g);
        Span<double> s = stackalloc double[2];
        Dsl.Map(w, s, Dsl.Sigmoid);
        return Dsl.SquaredNorm(g) + Dsl.LogSumExp(y) + (Dsl.Dot(w, w) * V[1, 0]) + Dsl.Dot(V.Row(1), x.Slice(1, half)) + Dsl.Sum(s);
    }
}

/// <summary>A scalar hyperparameter with a vector of weights: ridge regression tuned by log(lambda).</summary>
[BilevelModel]
public partial class ScalarHyperparameterRidge(Matrix train, double[] trainTargets, Matrix validation, double[] validationTargets)
{
    [UpperLevel]
    public double Validate(double logLambda, ReadOnlySpan<double> w)
    {
        double loss = 0;
        for (int i = 0; i < validation.Rows; i++)
        {
            double residual = Dsl.Dot(validation.Row(i), w) - validationTargets[i];
            loss += residual * residual;
        }

        return loss / validation.Rows;
    }

    [LowerLevel]
    public double Train(double logLambda, ReadOnlySpan<double> w)
    {
        double loss = 0;
        for (int i = 0; i < train.Rows; i++)
        {
            double residual = Dsl.Dot(train.Row(i), w) - trainTargets[i];
            loss += residual * residual;
        }

        return (loss / train.Rows) + (Math.Exp(logLambda) * Dsl.SquaredNorm(w));
    }

    [Gradient(nameof(Train))]
    public partial double TrainGradient(double logLambda, ReadOnlySpan<double> w, out double gradLogLambda, Span<double> gradW);
}

/// <summary>A vector upper variable with a scalar lower one (the reverse mix).</summary>
[BilevelModel]
public partial class VectorUpperScalarLower
{
    [UpperLevel]
    public double Upper(ReadOnlySpan<double> x, double y) => ((y - 1) * (y - 1)) + Dsl.SquaredNorm(x);

    [LowerLevel]
    public double Lower(ReadOnlySpan<double> x, double y) => ((y - Dsl.Sum(x)) * (y - Dsl.Sum(x))) + (0.1 * y * y * Dsl.Dot(x, x));

    [Gradient(nameof(Lower))]
    public partial double LowerGradientRequest(ReadOnlySpan<double> x, double y, Span<double> gradX, out double gradY);
}
