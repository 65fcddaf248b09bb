using Marten;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Host.Bookings;

public static class PublicEventTypes
{
    /// <summary>The organizer and their active event type behind a public booking URL; null when either is missing or inactive.</summary>
    public static async Task<(User Organizer, EventType EventType)?> FindAsync(IQuerySession db, string username, string slug, CancellationToken ct)
    {
        if (username.Length > 64 || slug.Length > 80) return null;
        var organizer = await db.Query<User>().FirstOrDefaultAsync(u => u.Username == username, ct);
        if (organizer is null) return null;
        var scope = EventType.PersonalScope(organizer.Id);
        var eventType = await db.Query<EventType>().FirstOrDefaultAsync(e => e.Scope == scope && e.Slug == slug, ct);
        return eventType is { IsActive: true } ? (organizer, eventType) : null;
    }
}
