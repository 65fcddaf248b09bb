using Marten;
using Marten.Services.BatchQuerying;
using OpenCalendly.Host.Api;
using Npgsql;
using OpenCalendly.Projections;
using OpenCalendly.Projections.Bookings;
using OpenCalendly.Integrations.Calendars;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.Calendars;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine;

namespace OpenCalendly.Host.Calendars;

public enum WritebackStatus { Pending, Succeeded, Failed }

/// <summary>
/// One booking change to bring into one connected calendar: the record behind the writeback status routes
/// and the retries. The outcome itself is an event on the connection's stream.
/// </summary>
public sealed class CalendarWriteback
{
    public Guid Id { get; set; }
    public Guid BookingId { get; set; }
    public Guid ConnectionId { get; set; }
    public Guid UserId { get; set; }
    public CalendarProvider Provider { get; set; }
    public WritebackOperation Operation { get; set; }
    public WritebackStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? LastAttemptAt { get; set; }
    public string? LastError { get; set; }
    public string? ExternalEventId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Attempt writeback <c>WritebackId</c> now (if it is still due).</summary>
public sealed record WriteBackBooking(Guid WritebackId);

/// <summary>Queues writebacks in the transaction of the booking change that causes them.</summary>
public static class WritebackQueue
{
    /// <summary>Queues a writeback of <paramref name="bookingId"/> to each of <paramref name="connections"/>.</summary>
    public static async Task<int> QueueAsync(
        IDocumentSession session, IMessageBus bus, Guid bookingId, IReadOnlyList<CalendarConnection> connections, WritebackOperation operation, DateTimeOffset now)
    {
        foreach (var connection in connections)
        {
            if (operation == WritebackOperation.Create && !connection.ReceivesBookings) continue;
            var writeback = new CalendarWriteback
            {
                Id = Guid.CreateVersion7(), BookingId = bookingId, ConnectionId = connection.Id, UserId = connection.UserId, Provider = connection.Provider,
                Operation = operation, Status = WritebackStatus.Pending, NextAttemptAt = now, CreatedAt = now, UpdatedAt = now,
            };
            session.Store(writeback);
            await bus.PublishAsync(new WriteBackBooking(writeback.Id));
        }
        return connections.Count(c => operation != WritebackOperation.Create || c.ReceivesBookings);
    }
}

/// <summary>
/// One writeback attempt: takes the connection's call lease (<see cref="CalendarCalls"/>), reads the job and booking
/// again under it, plans from the connection as committed then (so whichever of two attempts at one provider event —
/// a create and the move after a reschedule, say — runs second sees the first), calls the provider with nothing open,
/// and records the outcome in the caller's session, which the caller commits.
/// </summary>
public sealed class WritebackAttempts(ConnectedCalendars calendars, CalendarCalls calls, CalendarSettings settings, TimeProvider clock)
{
    private const int BusyWaits = 10;
    private static readonly TimeSpan BusyPause = TimeSpan.FromMilliseconds(200);

    public async Task<DeliveryOutcome> RunAsync(IDocumentSession session, IMessageContext messages, Guid writebackId, CancellationToken ct)
    {
        var job = await session.LoadAsync<CalendarWriteback>(writebackId, ct);
        if (job is not { Status: WritebackStatus.Pending } || job.NextAttemptAt > clock.GetUtcNow()) return DeliveryOutcome.Skipped;

        var (claimed, claim) = await calls.ClaimAsync(job.ConnectionId, _ => true, ct);
        // Another call to this calendar is usually over within moments: wait for it briefly before scheduling a retry, which
        // would run on the scheduler's next poll, alongside the calendar's next sync, and could lose to it again.
        for (var wait = 0; claimed == CalendarCalls.Outcome.Busy && wait < BusyWaits; wait++)
        {
            await Task.Delay(BusyPause, ct);
            (claimed, claim) = await calls.ClaimAsync(job.ConnectionId, _ => true, ct);
        }
        if (claimed == CalendarCalls.Outcome.Busy)
        {
            await messages.ScheduleAsync(new WriteBackBooking(writebackId), Backoff.Soon());
            return DeliveryOutcome.Skipped;
        }
        if (claimed == CalendarCalls.Outcome.NotApplicable)
            return await RecordAsync(session, job, null, "The calendar connection no longer exists.", clock.GetUtcNow(), messages, retryable: false);

        // Until the call is recorded, a failure gives the lease back at once rather than holding the calendar for its term.
        var held = claim!;
        (string? Error, WritebackStep? Step, ExternalEvent? Written) applied = default;
        var refreshes = new List<CalendarTokensRefreshed>();
        Booking? booking;
        var now = clock.GetUtcNow();
        try
        {
            // Read again under the lease: an attempt that held it before may have finished this one.
            job = await session.LoadAsync<CalendarWriteback>(writebackId, ct);
            booking = job is null ? null : await session.LoadAsync<Booking>(job.BookingId, ct);
            now = clock.GetUtcNow();
            if (job is not { Status: WritebackStatus.Pending } || job.NextAttemptAt > now || booking is null) booking = null;
            else
            {
                var eventType = await session.LoadAsync<EventType>(booking.EventTypeId, ct);
                var seated = booking.Seat is null ? null : await SeatReads.SeatedAsync(session, booking, ct);
                try
                {
                    applied = await ApplyAsync(refreshes, held.Connection, booking, seated, eventType, job, ct);
                }
                catch (CalendarProviderException e)
                {
                    applied = (e.Message, null, null);
                }
            }
        }
        catch
        {
            await calls.ReleaseAsync(held);
            throw;
        }
        if (booking is null)
        {
            await CalendarCalls.RecordAsync(session, held, ct);   // gives the lease back; nothing else to record
            return DeliveryOutcome.Skipped;
        }

        // Disconnected or reconnected meanwhile: the disconnect already marked what was waiting; this result is dropped.
        if (await CalendarCalls.RecordAsync(session, held, ct) is not { } current) return DeliveryOutcome.Skipped;
        job = await session.LoadAsync<CalendarWriteback>(writebackId, ct);
        if (job is not { Status: WritebackStatus.Pending }) return DeliveryOutcome.Skipped;
        foreach (var refreshed in refreshes) session.Events.Append(current.Id, refreshed);
        if (applied is { Error: null, Step: { } step })
        {
            job.ExternalEventId = applied.Written?.Id ?? job.ExternalEventId;
            session.Events.Append(current.Id, new BookingWrittenBack(current.Id, booking.Id, Writeback.EventKey(booking),
                step is WritebackStep.Delete ? WritebackOperation.Cancel : job.Operation, applied.Written?.Id, now, applied.Written?.Version));
        }
        return await RecordAsync(session, job, current, applied.Error, now, messages, retryable: current.IsConnected);
    }

    private async Task<DeliveryOutcome> RecordAsync(
        IDocumentSession session, CalendarWriteback job, CalendarConnection? connection, string? error, DateTimeOffset now, IMessageContext messages, bool retryable)
    {
        job.Attempts++;
        (job.LastAttemptAt, job.UpdatedAt, job.LastError) = (now, now, error);
        var outcome = DeliveryOutcomes.After(error is null, retryable, job.Attempts, settings.MaxAttempts);
        job.Status = outcome switch
        {
            DeliveryOutcome.Succeeded => WritebackStatus.Succeeded,
            DeliveryOutcome.Failed => WritebackStatus.Failed,
            _ => WritebackStatus.Pending,
        };
        if (outcome == DeliveryOutcome.Retried)
        {
            var delay = settings.DelayAfter(job.Attempts);
            job.NextAttemptAt = now + delay;
            await messages.ScheduleAsync(new WriteBackBooking(job.Id), delay);
        }
        if (outcome == DeliveryOutcome.Failed && connection is not null)
            session.Events.Append(connection.Id, new WritebackFailed(connection.Id, job.BookingId, job.Operation, error!, job.Attempts, now));
        session.Store(job);
        Telemetry.Delivery("calendar", outcome.ToString().ToLowerInvariant());
        return outcome;
    }

    /// <returns>Null error on success, else why not; the step taken and the provider's event as written (null once deleted).</returns>
    private async Task<(string? Error, WritebackStep? Step, ExternalEvent? Written)> ApplyAsync(
        List<CalendarTokensRefreshed> refreshes, CalendarConnection connection, Booking booking, IReadOnlyList<Booking>? seated, EventType? eventType,
        CalendarWriteback job, CancellationToken ct)
    {
        if (!connection.IsConnected) return ("The calendar was disconnected before this booking was written to it.", null, null);
        var step = Writeback.Plan(booking, connection, job.Operation, seated);
        var spec = seated is { Count: > 0 } ? SlotSpec(booking, seated, eventType) : Spec(booking, eventType);
        var calendar = calendars.Open(connection, refreshes);
        ExternalEvent? written;
        switch (step)
        {
            case WritebackStep.Create:
                written = await calendar.CreateAsync(spec, ct);
                break;
            case WritebackStep.Update(var id):
                try
                {
                    written = await calendar.UpdateAsync(new ExternalEvent(id, connection.ExternalEventVersions.GetValueOrDefault(Writeback.EventKey(booking))), spec, ct);
                }
                catch (CalendarProviderException e) when (e.Status is 404 or 410)
                {
                    // Deleted at the provider meanwhile: the booking still stands, so put it back.
                    written = await calendar.CreateAsync(spec, ct);
                }
                break;
            case WritebackStep.Delete(var id):
                await calendar.DeleteAsync(new ExternalEvent(id, null), ct);
                written = null;
                break;
            default:
                return (null, null, null);
        }
        return (null, step, written);
    }

    private static CalendarEventSpec Spec(Booking booking, EventType? eventType)
    {
        var name = eventType?.Name ?? "Booking";
        return new CalendarEventSpec(booking.CalendarUid, $"{name} with {booking.InviteeName}",
            $"Booked through OpenCalendly.\n{Invitee(booking)}",
            booking.StartsAt, booking.EndsAt, eventType?.LocationValue, [new(booking.InviteeName, booking.InviteeEmail)], Sequence: booking.CalendarSequence);
    }

    /// <summary>A seated slot's one event: every attendee seated now, who see each other only if the event type shows attendees.</summary>
    private static CalendarEventSpec SlotSpec(Booking booking, IReadOnlyList<Booking> seated, EventType? eventType)
    {
        var name = eventType?.Name ?? "Booking";
        var seats = booking.Seat!.SeatsPerSlot;
        return new CalendarEventSpec(Writeback.EventKey(booking), $"{name} ({seated.Count} of {seats} seats taken)",
            $"Booked through OpenCalendly.{string.Concat(seated.Select(b => $"\n\nSeat {b.Seat!.Number}: {Invitee(b)}"))}",
            seated[0].StartsAt, seated[0].EndsAt, eventType?.LocationValue,
            [.. seated.Select(b => new CalendarAttendee(b.InviteeName, b.InviteeEmail))], eventType?.Seats.ShowAttendees ?? false);
    }

    private static string Invitee(Booking booking) =>
        $"Invitee: {booking.InviteeName} <{booking.InviteeEmail}> ({booking.InviteeTimezone}){string.Concat(booking.Answers.Select(a => $"\n{a.Key}: {a.Value}"))}";
}

/// <summary>Runs by itself for every queued writeback and every scheduled retry.</summary>
public static class WriteBackBookingHandler
{
    /// <remarks>Wolverine's middleware commits the session.</remarks>
    public static Task Handle(WriteBackBooking message, IDocumentSession session, IMessageContext messages, WritebackAttempts attempts, CancellationToken ct) =>
        attempts.RunAsync(session, messages, message.WritebackId, ct);
}
