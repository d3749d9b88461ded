namespace BilevelDsl.Solvers;

/// <summary>
/// The settings every solver's options record has (history and the certificate of the answer); each solver's options
/// record derives from this one and adds its method's settings.
/// </summary>
public abstract record SolverOptions
{
    private protected SolverOptions()
    {
    }

    /// <summary>Whether to keep an <see cref="IterationRecord"/> per outer iteration (storage grows with the iterations run).</summary>
    public bool RecordHistory { get; init; } = true;

    /// <summary>
    /// What each history record keeps of x (<see cref="IterationRecord.X"/>), for plotting hyperparameter paths: null (the
    /// default) keeps nothing; <see cref="XProjections.All"/> keeps a copy of x; any other <see cref="XProjection"/> keeps
    /// what it returns. Applied at the end of every recorded iteration when <see cref="RecordHistory"/> is on; an
    /// exception it throws propagates unchanged out of <c>Solve</c>.
    /// </summary>
    public XProjection? RecordX { get; init; }

    /// <summary>The independent check of the answer at the end of every solve (on by default; see <see cref="SolutionCertificate"/>).</summary>
    public CertificateOptions Certificate { get; init; } = CertificateOptions.Default;

    /// <summary>
    /// The wall-clock budget of one <c>Solve</c>, shared by every method (default null: none). When it runs out the run ends
    /// with <see cref="SolverStatus.TimeLimit"/> at the last iterate, and the message says how far the run got (outer
    /// iterations of the method's budget, F and the last direction norm) and to what to raise this budget. The certificate
    /// of the answer runs after it (its cost is reported in <see cref="SolutionCertificate.Elapsed"/>). A signalled
    /// <see cref="System.Threading.CancellationToken"/> still ends the run with <see cref="SolverStatus.Cancelled"/>.
    /// </summary>
    public TimeSpan? MaxTime { get; init; }

    /// <summary>Throws if a setting is outside its domain.</summary>
    /// <exception cref="ArgumentNullException"><see cref="Certificate"/> (or another nested options record) is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public virtual void Validate()
    {
        ArgumentNullException.ThrowIfNull(Certificate);
        Certificate.Validate();
        if (MaxTime is { } budget && !(budget > TimeSpan.Zero))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxTime), budget, "MaxTime must be positive (or null for no time budget).");
        }
    }
}
