// Quickstart: the BVFIM paper's toy problem (Liu et al., ICML 2021, Eq. 30)
//     min_x (x - a)^2 + (y - a)^2   s.t.   y in argmin_y sin(x + y)
// whose lower level has infinitely many solutions (x + y = -pi/2 + 2 pi k). The source generator turns the
// SinToy class into IBilevelKernels; BvfimSolver solves it. Exits with 1 if an answer misses the known
// optimum by more than 1e-3 (CI runs this sample).
using BilevelDsl;
using BilevelDsl.Solvers;

const double tolerance = 1e-3;
var solver = new BvfimSolver();
bool allGood = true;

foreach (double a in new[] { 0.0, 2.0 })
{
    double optimum = a == 0.0 ? -Math.PI / 4 : 3 * Math.PI / 4;   // x* = y*
    double optimalValue = 2 * (optimum - a) * (optimum - a);       // F(x*, y*)

    IBilevelKernels model = new SinToy { A = a };
    BilevelResult result = solver.Solve(model, [0.0], [0.0]);

    double x = result.X[0];
    double y = result.Y[0];
    double error = Math.Max(Math.Abs(x - optimum), Math.Abs(y - optimum));
    bool ok = result.Status == SolverStatus.Converged && error <= tolerance;
    allGood &= ok;

    Console.WriteLine($"a = {a}: {result.Status} after {result.Iterations} iterations ({result.Elapsed.TotalMilliseconds:F1} ms)");
    Console.WriteLine($"  x = {x,12:F8}   y = {y,12:F8}   F = {result.UpperValue,12:F8}   f = {result.LowerValue,12:F8}");
    Console.WriteLine($"  x*= {optimum,12:F8}   y*= {optimum,12:F8}   F*= {optimalValue,12:F8}");
    Console.WriteLine($"  error max(|x - x*|, |y - y*|) = {error:E2}  {(ok ? "OK" : $"FAILED (tolerance {tolerance:E0})")}");
    if (result.Status != SolverStatus.Converged)
    {
        Console.WriteLine($"  {result.Message}");
    }
}

return allGood ? 0 : 1;
