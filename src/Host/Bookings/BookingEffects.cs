using Marten;
using Marten.Services.BatchQuerying;
using OpenCalendly.Host.Calendars;
using OpenCalendly.Host.Identity;
using OpenCalendly.Host.Webhooks;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.Calendars;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine;

namespace OpenCalendly.Host.Bookings;

/// <summary>What a booking change set off: the counts its answer reports.</summary>
public readonly record struct EffectCounts(int Emails, int Webhooks, int Writebacks, int Reminders);

/// <summary>
/// What each booking change sets off, written once for every route that makes it: emails, webhook deliveries, calendar
/// writebacks and reminders, queued in the change's own transaction through Wolverine's outbox (they commit, or vanish,
/// with its events, and go out after the commit). Who hears of a booking is one rule: its holders (the organizer, or a
/// team booking's assigned members) get the emails and the calendar events, and webhooks go to the holders' and the
/// organizer's subscriptions.
/// </summary>
/// <remarks>
/// Queued by the change's own transaction, not by a handler of forwarded events (Wolverine's event forwarding), because a
/// later reader would lack what only this transaction has: the answer reports what was queued, the emails carry action
/// links whose raw tokens exist only in the request (the events hold their hashes), and an account deletion removes, in
/// the same transaction as its cancellations, the people and subscriptions those cancellations notify.
/// </remarks>
public sealed class BookingEffects(BookingMail mail, WebhookQueue webhooks)
{
    /// <summary>What the effects of one change read, in the caller's batch (one round trip with its own reads).</summary>
    public sealed class Reads
    {
        public required Task<IReadOnlyList<User>> Holders { get; init; }
        public required IReadOnlyList<Guid> HolderIds { get; init; }
        public required Task<IReadOnlyList<WebhookSubscription>> Subscriptions { get; init; }
        public required Task<IReadOnlyList<CalendarConnection>> Calendars { get; init; }

        /// <summary>The holders that exist, in the order given (the first leads the invitation).</summary>
        public async Task<IReadOnlyList<User>> HoldersAsync() => BookingMail.InOrder(HolderIds, await Holders);
    }

    /// <summary>
    /// Adds the reads of a change to <paramref name="batch"/>: the people who will hold the booking, the subscriptions
    /// of them and of the organizer, and the connected calendars of them and of <paramref name="formerHolders"/> (whose
    /// calendars lose the event when a reschedule hands it to someone else).
    /// </summary>
    public static Reads Read(IBatchedQuery batch, Guid organizerId, IReadOnlyList<Guid> holders, IReadOnlyList<Guid>? formerHolders = null)
    {
        var subscribers = holders.Prepend(organizerId).Distinct().ToArray();
        var calendarUsers = holders.Concat(formerHolders ?? []).Distinct().ToArray();
        return new Reads
        {
            HolderIds = holders,
            Holders = batch.LoadMany<User>().ById(holders.Distinct().ToArray()),
            Subscriptions = batch.Query<WebhookSubscription>().Where(s => s.IsActive && subscribers.Contains(s.OrganizerId)).ToList(),
            Calendars = batch.Query<CalendarConnection>().Where(c => c.IsConnected && calendarUsers.Contains(c.UserId)).ToList(),
        };
    }

    /// <summary>A new booking: the confirmation with its action links, <c>booking.created</c>, a calendar event for each holder, and its reminders.</summary>
    public async Task<EffectCounts> ConfirmedAsync(
        IDocumentSession session, IMessageBus bus, Reads reads, HttpRequest request, Booking booking, EventType eventType, ActionTokens tokens, DateTimeOffset now)
    {
        var holders = await reads.HoldersAsync();
        var emails = holders.Count == 0 ? [] : mail.Confirmed(request, booking, eventType, holders, tokens, now);
        foreach (var email in emails) await bus.PublishAsync(email);
        var hooks = await WebhooksAsync(session, bus, reads, booking, WebhookEvents.Created, BookingPayloads.Of(booking), now);
        var writebacks = await WritebackQueue.QueueAsync(session, bus, booking.Id, Of(await reads.Calendars, booking.ReservedUserIds), WritebackOperation.Create, now);
        return new(emails.Length, hooks, writebacks, await Reminders.ScheduleAsync(bus, booking, eventType, now));
    }

    /// <summary>
    /// A booking moved to <paramref name="moved"/>: the new time with its action links, <c>booking.rescheduled</c>, the
    /// calendar event moved (and removed from the calendars of former holders who no longer hold it), and the new
    /// booking's reminders (the old one's find it rescheduled and stand down).
    /// </summary>
    public async Task<EffectCounts> RescheduledAsync(
        IDocumentSession session, IMessageBus bus, Reads reads, HttpRequest request, Booking old, Booking moved, EventType eventType, ActionTokens tokens,
        DateTimeOffset now)
    {
        var holders = await reads.HoldersAsync();
        var emails = holders.Count == 0 ? [] : mail.Rescheduled(request, moved, eventType, holders, tokens, now);
        foreach (var email in emails) await bus.PublishAsync(email);
        var hooks = await WebhooksAsync(session, bus, reads, moved, WebhookEvents.Rescheduled,
            BookingPayloads.Of(moved, new { rescheduledFromBookingId = old.Id, previousStartsAt = old.StartsAt, previousEndsAt = old.EndsAt }), now);
        var calendars = await reads.Calendars;
        // The new booking takes the chain's provider event along; calendars of people no longer holding it lose it. A seat
        // leaves its slot's event, which the other seats keep, for another slot's: both events change in every holder's calendar.
        IReadOnlyList<Guid> leaving = old.Seat is null ? [.. old.ReservedUserIds.Except(moved.ReservedUserIds)] : old.ReservedUserIds;
        var writebacks = await WritebackQueue.QueueAsync(session, bus, moved.Id, Of(calendars, moved.ReservedUserIds), WritebackOperation.Update, now)
            + await WritebackQueue.QueueAsync(session, bus, old.Id, Of(calendars, leaving), WritebackOperation.Cancel, now);
        return new(emails.Length, hooks, writebacks, await Reminders.ScheduleAsync(bus, moved, eventType, now));
    }

    /// <summary>A canceled booking: the cancellation (with the reason) to invitee and holders, <c>booking.canceled</c>, and the calendar events removed.</summary>
    public async Task<EffectCounts> CanceledAsync(
        IDocumentSession session, IMessageBus bus, Reads reads, Booking booking, BookingCanceled canceled, EventType? eventType, DateTimeOffset now)
    {
        var holders = await reads.HoldersAsync();
        var emails = eventType is null || holders.Count == 0 ? [] : mail.Canceled(booking, eventType, holders, canceled.Reason, now);
        foreach (var email in emails) await bus.PublishAsync(email);
        var hooks = await WebhooksAsync(session, bus, reads, booking, WebhookEvents.Canceled, BookingPayloads.Of(booking, new
        {
            reason = canceled.Reason, canceledAt = canceled.CanceledAt, canceledBy = canceled.CanceledByUserId is null ? "invitee" : "host",
        }), now);
        var writebacks = await WritebackQueue.QueueAsync(session, bus, booking.Id, Of(await reads.Calendars, booking.ReservedUserIds), WritebackOperation.Cancel, now);
        return new(emails.Length, hooks, writebacks, 0);
    }

    /// <summary>One delivery per subscription that wants <paramref name="type"/>; each subscriber's deliveries share one event id.</summary>
    private async Task<int> WebhooksAsync(
        IDocumentSession session, IMessageBus bus, Reads reads, Booking booking, string type, object payload, DateTimeOffset now)
    {
        var queued = 0;
        foreach (var subscriber in (await reads.Subscriptions).GroupBy(s => s.OrganizerId))
            queued += await webhooks.QueueAsync(session, bus, [.. subscriber], subscriber.Key, type, Guid.CreateVersion7(), payload, now);
        return queued;
    }

    private static IReadOnlyList<CalendarConnection> Of(IReadOnlyList<CalendarConnection> calendars, IReadOnlyList<Guid> users) =>
        [.. calendars.Where(c => users.Contains(c.UserId))];
}
