namespace BilevelDsl.Experiments.Cli;

/// <summary>
/// A failure the user can act on (bad option, missing data set, a run that did not converge): the tool prints the
/// message on one line and exits with code 1, without a stack trace.
/// </summary>
public sealed class ExperimentException(string message) : Exception(message);
