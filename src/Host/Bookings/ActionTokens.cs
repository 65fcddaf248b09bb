using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Host.Bookings;

/// <summary>A fresh cancel and reschedule token for one booking; only their hashes reach the events.</summary>
public sealed class ActionTokens
{
    public string Cancel { get; } = Tokens.New();
    public string Reschedule { get; } = Tokens.New();
    public ActionTokenHashes Hashes => new(Tokens.Hash(Cancel), Tokens.Hash(Reschedule));
}
