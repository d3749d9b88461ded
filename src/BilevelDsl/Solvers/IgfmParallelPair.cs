using System.Runtime.ExceptionServices;

namespace BilevelDsl.Solvers;

/// <summary>
/// Runs two independent pieces of work at once, allocation-free per call: the second (fixed at construction) on a
/// thread-pool thread, the first on the calling thread. If no pool thread has picked the second up by the time the first
/// is done, the caller runs it itself, so a busy or starved pool never makes a run wait (or deadlock).
/// </summary>
/// <remarks>
/// The work item is this object, queued with <see cref="ThreadPool.UnsafeQueueUserWorkItem(IThreadPoolWorkItem, bool)"/>
/// (no allocation); a claim flag decides, with one compare-exchange, whether the pool thread or the caller runs the
/// branch. At most one copy of the item is in the pool's queue at a time; a stale copy that runs late finds nothing to
/// claim and returns.
/// </remarks>
internal sealed class IgfmParallelPair : IThreadPoolWorkItem, IDisposable
{
    private const int Claimed = 0;
    private const int Offered = 1;

    private readonly Action _branch;
    private readonly ManualResetEventSlim _branchDone = new(false);
    private int _state = Claimed;
    private int _queued;
    private ExceptionDispatchInfo? _branchError;

    public IgfmParallelPair(Action branch)
    {
        _branch = branch;
    }

    /// <summary>Runs <paramref name="local"/> here and the branch in parallel; returns when both are done; rethrows the first exception.</summary>
    public void Run(Action local)
    {
        _branchDone.Reset();
        _branchError = null;
        Interlocked.Exchange(ref _state, Offered);
        if (Interlocked.Exchange(ref _queued, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }

        try
        {
            local();
        }
        finally
        {
            if (Interlocked.CompareExchange(ref _state, Claimed, Offered) == Offered)
            {
                RunBranch(); // no pool thread took it yet: run it here
            }
            else
            {
                _branchDone.Wait();
            }
        }

        _branchError?.Throw();
    }

    /// <inheritdoc/>
    void IThreadPoolWorkItem.Execute()
    {
        Interlocked.Exchange(ref _queued, 0);
        if (Interlocked.CompareExchange(ref _state, Claimed, Offered) != Offered)
        {
            return; // the caller ran the branch already
        }

        RunBranch();
        _branchDone.Set();
    }

    /// <inheritdoc/>
    public void Dispose() => _branchDone.Dispose();

    private void RunBranch()
    {
        try
        {
            _branch();
        }
        catch (Exception ex)
        {
            _branchError = ExceptionDispatchInfo.Capture(ex);
        }
    }
}
