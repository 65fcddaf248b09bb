using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Host.Bookings;

/// <summary>
/// A fresh cancel, reschedule and manage token for one booking; only their hashes reach the events. A booking moved
/// through its manage link keeps that link (<paramref name="manage"/>), so the invitee's first email keeps working.
/// </summary>
public sealed class ActionTokens(string? manage = null)
{
    public string Cancel { get; } = Tokens.New();
    public string Reschedule { get; } = Tokens.New();
    public string Manage { get; } = manage ?? Tokens.New();
    public ActionTokenHashes Hashes => new(Tokens.Hash(Cancel), Tokens.Hash(Reschedule), Tokens.Hash(Manage));
}
