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

    /// <summary>The independent check of the answer at the end of every solve (on by default; see <see cref="SolutionCertificate"/>).</summary>
    public CertificateOptions Certificate { get; init; } = CertificateOptions.Default;

    /// <summary>Throws if a setting is outside its domain.</summary>
    /// <exception cref="ArgumentNullException"><see cref="Certificate"/> (or another nested options record) is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is invalid; the message names it.</exception>
    public virtual void Validate()
    {
        ArgumentNullException.ThrowIfNull(Certificate);
        Certificate.Validate();
    }
}
