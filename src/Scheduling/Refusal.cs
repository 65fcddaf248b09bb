namespace OpenCalendly.Scheduling;

/// <summary>What kind of "no" a decision said. The Host maps each kind to one HTTP status, in one table (<c>Problems.From</c>).</summary>
public enum RefusalKind
{
    /// <summary>The request itself is wrong (an answer, a range): 400.</summary>
    Invalid,
    /// <summary>What it names does not exist, or is not the caller's to see: 404.</summary>
    NotFound,
    /// <summary>It exists but its state says no (the slot is taken, the booking is over or moved): 409.</summary>
    Conflict,
    /// <summary>A link that worked once and no longer does (expired, or spent by a reschedule): 410.</summary>
    Gone,
}

/// <summary>A decision's "no": its kind, a stable code, a sentence, and for an invalid request the field it is about.</summary>
public sealed record Refusal(RefusalKind Kind, string Code, string Message, string? Field = null);

/// <summary>
/// What every decision returns: what it decided (an event, an outcome, a range) or why not. Deconstructs into both,
/// so a caller reads <c>var (decided, refusal) = …</c>.
/// </summary>
public readonly struct Decision<T> where T : class
{
    private Decision(T? value, Refusal? refusal) => (Value, Refusal) = (value, refusal);

    public T? Value { get; }
    public Refusal? Refusal { get; }

    public static implicit operator Decision<T>(T value) => new(value, null);
    public static implicit operator Decision<T>(Refusal refusal) => new(null, refusal);

    public void Deconstruct(out T? value, out Refusal? refusal) => (value, refusal) = (Value, Refusal);
}
