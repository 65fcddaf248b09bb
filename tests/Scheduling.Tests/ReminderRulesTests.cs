using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Scheduling.Tests;

/// <summary>Given a booking, when its reminders are planned or one comes due, then it is scheduled, sent, or says why not.</summary>
public sealed class ReminderRulesTests
{
    private static readonly DateTimeOffset Start = new(2030, 6, 3, 10, 0, 0, TimeSpan.Zero);

    private static Booking Confirmed() => new() { Id = Guid.NewGuid(), Status = BookingStatus.Confirmed, StartsAt = Start, EndsAt = Start.AddMinutes(30) };

    [Fact]
    public void only_reminders_still_ahead_are_planned_each_at_its_time()
    {
        var reminders = new[] { new Reminder(1440, ReminderRecipients.Invitee), new Reminder(60, ReminderRecipients.Both) };
        var due = ReminderRules.Due(Confirmed(), reminders, now: Start.AddHours(-3));
        due.ShouldHaveSingleItem().ShouldBe((reminders[1], Start.AddHours(-1)));
        ReminderRules.Due(Confirmed(), reminders, now: Start.AddDays(-2)).Count.ShouldBe(2);
    }

    [Fact]
    public void a_due_reminder_is_sent_once_while_the_booking_stands_where_it_was()
    {
        var booking = Confirmed();
        ReminderRules.CheckSend(booking, Start, 60, Start.AddHours(-1)).ShouldBeNull();
        booking.RemindersSent.Add(60);
        ReminderRules.CheckSend(booking, Start, 60, Start.AddHours(-1))!.Code.ShouldBe("already-sent");
    }

    [Theory]
    [InlineData(BookingStatus.Canceled, 0, "withdrawn: the booking was canceled")]
    [InlineData(BookingStatus.Rescheduled, 0, "withdrawn: the booking was rescheduled")]
    [InlineData(BookingStatus.Confirmed, 30, "withdrawn: the booking moved")]
    public void a_cancel_or_a_move_withdraws_it(BookingStatus status, int movedMinutes, string why)
    {
        var booking = Confirmed();
        booking.Status = status;
        booking.StartsAt = Start.AddMinutes(movedMinutes);
        ReminderRules.CheckSend(booking, Start, 60, Start.AddHours(-1))!.Message.ShouldBe(why);
    }

    [Fact]
    public void a_booking_that_started_is_past_reminding()
    {
        ReminderRules.CheckSend(Confirmed(), Start, 60, Start.AddMinutes(1))!.Code.ShouldBe("too-late");
    }
}
