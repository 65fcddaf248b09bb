namespace OpenCalendly.Host.Api;

/// <summary>What one attempt of a retried delivery (a webhook, a calendar writeback) came to.</summary>
public enum DeliveryOutcome { Skipped, Succeeded, Retried, Failed }

public static class DeliveryOutcomes
{
    /// <summary>Success; otherwise failed for good once the attempts are used up or a retry cannot help; otherwise retried.</summary>
    public static DeliveryOutcome After(bool succeeded, bool retryable, int attempts, int maxAttempts) =>
        succeeded ? DeliveryOutcome.Succeeded
        : attempts >= maxAttempts || !retryable ? DeliveryOutcome.Failed
        : DeliveryOutcome.Retried;
}

/// <summary>The counts a <c>…/run</c> route answers with: the attempts it made, skipped ones left out.</summary>
public sealed record RunSummary(int Processed, int Succeeded, int Retried, int Failed)
{
    public static RunSummary Of(IEnumerable<DeliveryOutcome> outcomes)
    {
        var made = outcomes.Where(o => o != DeliveryOutcome.Skipped).ToList();
        return new(made.Count, made.Count(o => o == DeliveryOutcome.Succeeded), made.Count(o => o == DeliveryOutcome.Retried),
            made.Count(o => o == DeliveryOutcome.Failed));
    }
}

/// <summary>Runs due attempts now, each in its own transaction and message context, so one attempt's retry and records commit alone.</summary>
public static class DueAttempts
{
    public static async Task<RunSummary> RunAsync(
        IEnumerable<Guid> due, Wolverine.Marten.Publishing.OutboxedSessionFactory sessions, Wolverine.Runtime.IWolverineRuntime runtime,
        Func<Marten.IDocumentSession, Wolverine.IMessageContext, Guid, CancellationToken, Task<DeliveryOutcome>> attempt, CancellationToken ct)
    {
        var outcomes = new List<DeliveryOutcome>();
        foreach (var id in due)
        {
            var context = new Wolverine.Runtime.MessageContext(runtime);
            await using var session = sessions.OpenSession(context);
            outcomes.Add(await attempt(session, context, id, ct));
            await session.SaveChangesAsync(ct);
        }
        return RunSummary.Of(outcomes);
    }
}
