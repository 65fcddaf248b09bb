using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Scheduling.Calendars;

/// <summary>What to do to a provider calendar so it shows a booking chain as it is now.</summary>
public abstract record WritebackStep
{
    private WritebackStep() { }

    /// <summary>No provider event yet: create one.</summary>
    public sealed record Create : WritebackStep;

    /// <summary>The chain's event exists: set it to the booking's time (moves it after a reschedule).</summary>
    public sealed record Update(string ExternalEventId) : WritebackStep;

    /// <summary>The chain is over for this calendar: delete its event.</summary>
    public sealed record Delete(string ExternalEventId) : WritebackStep;

    /// <summary>Nothing to change.</summary>
    public sealed record Nothing(string Why) : WritebackStep;
}

/// <summary>
/// Writeback reconciles rather than replays: whatever order the messages of a chain run in, and however
/// often one is retried, each run brings the provider event to the booking's current state.
/// </summary>
public static class Writeback
{
    /// <summary>The key of the provider event that shows <paramref name="booking"/>: its reschedule chain's, or its slot's for a seat.</summary>
    public static string EventKey(Booking booking) => booking.Seat is { } seat ? Seats.CalendarUid(seat.SlotId) : booking.CalendarUid;

    /// <param name="intent">
    /// Why the writeback was queued: <see cref="WritebackOperation.Cancel"/> when the booking left this calendar
    /// (canceled, or rescheduled to other team members); otherwise the booking should be in it.
    /// </param>
    /// <param name="seated">
    /// For a seat: the bookings seated at its slot now. A seated slot has one event for all its attendees, so whichever seat's
    /// change queued the writeback, it brings that event to the seats held now: created with the first, updated as seats come
    /// and go, deleted with the last.
    /// </param>
    public static WritebackStep Plan(Booking booking, CalendarConnection connection, WritebackOperation intent, IReadOnlyCollection<Booking>? seated = null)
    {
        if (!connection.IsConnected) return new WritebackStep.Nothing("The calendar is no longer connected.");
        connection.ExternalEvents.TryGetValue(EventKey(booking), out var existing);

        if (booking.Seat is not null)
        {
            if (seated is not { Count: > 0 })
                return existing is null ? new WritebackStep.Nothing("No seat is held and there is no provider event.") : new WritebackStep.Delete(existing);
            return existing is null ? new WritebackStep.Create() : new WritebackStep.Update(existing);
        }

        if (intent == WritebackOperation.Cancel || booking.Status == BookingStatus.Canceled)
            return existing is null ? new WritebackStep.Nothing("No provider event to delete.") : new WritebackStep.Delete(existing);

        // A booking rescheduled since: the booking that continues the chain brings the event along.
        if (booking.Status == BookingStatus.Rescheduled) return new WritebackStep.Nothing("The booking was rescheduled; its successor moves the event.");

        return existing is null ? new WritebackStep.Create() : new WritebackStep.Update(existing);
    }
}

/// <summary>The stretch of time a calendar sync asks the provider about.</summary>
public static class SyncWindow
{
    public static readonly TimeSpan Default = TimeSpan.FromDays(30);
    public static readonly TimeSpan Longest = TimeSpan.FromDays(90);

    /// <summary>From <paramref name="start"/> (default now) to <paramref name="end"/> (default 30 days on); null when invalid.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End)? Resolve(DateTimeOffset? start, DateTimeOffset? end, DateTimeOffset now)
    {
        var from = (start ?? now).ToUniversalTime();
        var to = (end ?? from + Default).ToUniversalTime();
        return to > from && to - from <= Longest ? (from, to) : null;
    }

    /// <summary>Busy windows clipped to the window, empty ones dropped, sorted.</summary>
    public static IReadOnlyList<BusyWindow> Clip(IEnumerable<BusyWindow> busy, DateTimeOffset start, DateTimeOffset end) =>
        [.. busy
            .Select(b => new BusyWindow(b.StartsAt < start ? start : b.StartsAt.ToUniversalTime(), b.EndsAt > end ? end : b.EndsAt.ToUniversalTime()))
            .Where(b => b.EndsAt > b.StartsAt)
            .OrderBy(b => b.StartsAt)];
}
