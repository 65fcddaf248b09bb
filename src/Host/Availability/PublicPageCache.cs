using System.Collections.Concurrent;
using Marten;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Primitives;
using OpenCalendly.Host.Bookings;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Host.Availability;

/// <summary>
/// Keeps what a public availability query needs besides reservations (organizer, event type, schedule) for
/// a few seconds (<c>Availability:CacheSeconds</c>, default 5; 0 turns it off). Reservations are always read
/// fresh, and a booking re-checks everything inside its transaction, so a stale page can only offer a slot
/// that the commit then refuses. This node forgets an organizer's pages as soon as they change something;
/// other nodes see it within the cache time.
/// </summary>
public sealed class PublicPageCache(IMemoryCache cache, IConfiguration config)
{
    private readonly TimeSpan _ttl = TimeSpan.FromSeconds(config.GetValue("Availability:CacheSeconds", 5.0));
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _organizers = new();

    public sealed record Page(User Organizer, EventType EventType, Schedule? Schedule);

    public async Task<Page?> GetAsync(IQuerySession db, string username, string slug, CancellationToken ct)
    {
        var key = (nameof(PublicPageCache), username, slug);
        if (_ttl > TimeSpan.Zero && cache.TryGetValue(key, out Page? cached)) return cached;

        if (await PublicEventTypes.FindAsync(db, username, slug, ct) is not (var organizer, var eventType)) return null;
        var page = new Page(organizer, eventType, await db.LoadAsync<Schedule>(organizer.Id, ct));
        if (_ttl > TimeSpan.Zero)
        {
            var changed = _organizers.GetOrAdd(organizer.Id, _ => new CancellationTokenSource());
            cache.Set(key, page, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = _ttl }
                .AddExpirationToken(new CancellationChangeToken(changed.Token)));
        }
        return page;
    }

    /// <summary>Drops this organizer's cached pages on this node (after a change to their event types or schedule).</summary>
    public void Forget(Guid organizerId)
    {
        if (_organizers.TryRemove(organizerId, out var changed)) changed.Cancel();
    }
}
