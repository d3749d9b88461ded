namespace BilevelDsl.Experiments.Running;

/// <summary>The numerical settings every method of a run shares (from the command line or an experiment's defaults).</summary>
/// <param name="Outer">Outer (upper-level) iterations.</param>
/// <param name="Inner">Lower-level steps per outer iteration (solve steps for AID, unrolled steps for RHG/TRHG/BDA).</param>
/// <param name="InnerStepSize">The lower-level gradient step.</param>
/// <param name="HypergradientSteps">CG iterations (AID-CG) or Neumann terms (AID-Neumann); truncation length for TRHG.</param>
/// <param name="UpperStepSize">The step of the upper-level optimiser.</param>
/// <param name="UpperAdam">Adam on x (else gradient descent).</param>
/// <param name="LowerToleranceFloor">The final lower-level stationarity the hypergradient methods require.</param>
/// <param name="Seed">Seed of the data split and of stochastic methods.</param>
public sealed record RunSettings(
    int Outer,
    int Inner,
    double InnerStepSize,
    int HypergradientSteps,
    double UpperStepSize,
    bool UpperAdam,
    double LowerToleranceFloor,
    int Seed)
{
    /// <summary>What the solver's history keeps of x (<see cref="Solvers.SolverOptions.RecordX"/>; history.csv writes it as
    /// columns x0, x1, ...); null for nothing.</summary>
    public Solvers.XProjection? RecordX { get; init; }
}
