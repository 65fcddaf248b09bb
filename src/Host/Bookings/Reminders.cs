using Marten;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine;

namespace OpenCalendly.Host.Bookings;

/// <summary>A durable scheduled message: send the reminder <see cref="MinutesBefore"/> minutes before <see cref="StartsAt"/>.</summary>
public sealed record SendReminder(Guid BookingId, int MinutesBefore, ReminderRecipients To, DateTimeOffset StartsAt);

public static class Reminders
{
    /// <summary>
    /// Schedules the event type's reminders for a booking, in the booking's transaction (Wolverine's outbox
    /// stores them as scheduled envelopes, so they survive restarts). One whose time has already passed is
    /// not scheduled. Returns how many were.
    /// </summary>
    public static async Task<int> ScheduleAsync(IMessageBus bus, Booking booking, EventType eventType, DateTimeOffset now)
    {
        var due = ReminderRules.Due(booking, eventType.Reminders, now);
        foreach (var (reminder, at) in due)
            await bus.ScheduleAsync(new SendReminder(booking.Id, reminder.MinutesBefore, reminder.Recipients, booking.StartsAt), at);
        return due.Count;
    }
}

/// <summary>
/// Sends a reminder when its time comes, if it still applies: the booking is confirmed (a cancel or reschedule
/// withdraws it; the rescheduled booking has reminders of its own), still starts when it did, has not started,
/// and this reminder has not gone out (<see cref="ReminderRules.CheckSend"/>). The <see cref="BookingReminderSent"/> event
/// and the emails commit together.
/// </summary>
public static partial class SendReminderHandler
{
    public static async Task Handle(
        SendReminder message, IDocumentSession session, IMessageContext bus, BookingMail mail, TimeProvider clock,
        ILogger<SendReminder> logger, CancellationToken ct)
    {
        var stream = await session.Events.FetchForWriting<Booking>(message.BookingId, ct);
        var now = clock.GetUtcNow();
        if (stream.Aggregate is not { } booking) return;
        if (ReminderRules.CheckSend(booking, message.StartsAt, message.MinutesBefore, now) is { } skip)
        {
            Skipped(logger, message.BookingId, message.MinutesBefore, skip.Message);
            return;
        }

        var eventType = await session.LoadAsync<EventType>(booking.EventTypeId, ct);
        var hosts = await BookingMail.HostsAsync(session, booking, ct);
        var emails = eventType is null || hosts.Count == 0 ? [] : mail.Reminder(booking, eventType, hosts, new Reminder(message.MinutesBefore, message.To));
        foreach (var email in emails) await bus.PublishAsync(email);
        // Wolverine's transactional middleware commits the event and the emails together after this returns.
        stream.AppendOne(new BookingReminderSent(booking.Id, message.MinutesBefore, message.To, emails.Length, now));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reminder {MinutesBefore} min before booking {BookingId} not sent ({Why})")]
    private static partial void Skipped(ILogger logger, Guid bookingId, int minutesBefore, string why);
}
