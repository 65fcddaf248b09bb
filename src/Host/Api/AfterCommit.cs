using Marten;
using Marten.Services;

namespace OpenCalendly.Host.Api;

/// <summary>Runs an action once a Marten session has committed (never for work that rolled back), as Marten's session listener.</summary>
public sealed class AfterCommit(Action action) : DocumentSessionListenerBase
{
    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        action();
        return Task.CompletedTask;
    }
}
