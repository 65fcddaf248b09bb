using Microsoft.Extensions.DependencyInjection;
using OpenCalendly.Host.Bookings;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine;

namespace OpenCalendly.Host.Tests;

/// <summary>A database of its own: scheduled reminders must be run by this host, which writes to this mail folder.</summary>
public sealed class ReminderApp : App
{
    protected override string OwnDatabase => "reminders";
}

[CollectionDefinition(Name)]
public sealed class ReminderCollection : ICollectionFixture<ReminderApp>
{
    public const string Name = "reminders";
}

[Collection(ReminderCollection.Name)]
public sealed class ReminderTests(ReminderApp app)
{
    private readonly HttpClient _http = app.Http;

    /// <summary>An organizer open around the clock, with a 5-minute increment and the given reminders.</summary>
    private async Task<(Organizer Organizer, string Slug, string EventTypeId)> Reminding(params object[] reminders)
    {
        var (organizer, slug, id) = await _http.Bookable();
        var rules = Enumerable.Range(0, 7).Select(day => new { dayOfWeek = day, startMinute = 0, endMinute = 1440 });
        (await _http.Put("/v0/me/availability/rules", new { rules }, organizer.Session)).ShouldBe(200);
        (await _http.Patch($"/v0/event-types/{id}", new { controls = new { slotIncrementMinutes = 5 }, reminders }, organizer.Session)).ShouldBe(200);
        return (organizer, slug, id);
    }

    private Task<Answer> Book(Organizer organizer, string slug, DateTimeOffset startsAt) =>
        _http.Post("/v0/bookings", Bookings.Request(organizer, slug, startsAt.ToString("yyyy-MM-ddTHH:mm:ssZ")), idempotencyKey: Api.NewKey());

    private async Task<string[]> History(Organizer organizer, string bookingId) =>
        [.. (await _http.Get($"/v0/bookings/{bookingId}/history", organizer.Session)).ShouldBe(200).Json["history"]!.AsArray()
            .Select(e => e!["type"]!.GetValue<string>())];

    private async Task WaitForLog(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!app.Logs.All.Contains(text) && DateTime.UtcNow < deadline) await Task.Delay(200);
        app.Logs.All.ShouldContain(text);
    }

    [Fact]
    public async Task a_reminder_fires_once_at_its_time_and_a_canceled_bookings_reminder_does_not()
    {
        var (kept, keptSlug, keptType) = await Reminding();
        var (dropped, droppedSlug, droppedType) = await Reminding();

        // The first 5-minute slot at least 6 minutes away; the reminder lands 30–90 seconds from now, which leaves the
        // five calls below time to book both and cancel one before it, however loaded the machine running the suite.
        var now = DateTimeOffset.UtcNow;
        var start = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.FromMinutes(5).Ticks, TimeSpan.Zero).AddMinutes(5);
        while (start - now < TimeSpan.FromMinutes(6)) start = start.AddMinutes(5);
        var minutes = (int)((start - now - TimeSpan.FromSeconds(30)).TotalMinutes);
        var due = start.AddMinutes(-minutes);
        var reminders = new[] { new { minutesBefore = minutes, to = "both" } };
        (await _http.Patch($"/v0/event-types/{keptType}", new { reminders }, kept.Session)).ShouldBe(200);
        (await _http.Patch($"/v0/event-types/{droppedType}", new { reminders }, dropped.Session)).ShouldBe(200);

        var booked = (await Book(kept, keptSlug, start)).ShouldBe(200).Json;
        booked["reminders"]!["scheduled"]!.GetValue<int>().ShouldBe(1);
        var keptId = booked["booking"]!["id"]!.GetValue<string>();
        var canceled = (await Book(dropped, droppedSlug, start)).ShouldBe(200).Json;
        var droppedId = canceled["booking"]!["id"]!.GetValue<string>();
        (await _http.Post($"/v0/bookings/actions/{canceled["actions"]!["cancel"]!["token"]}/cancel", new { })).ShouldBe(200);
        DateTimeOffset.UtcNow.ShouldBeLessThan(due, "the booking was canceled only after its reminder came due");

        var sent = await Mailbox.WaitFor(app.MailFolder, $"booking-reminder:{keptId}", 2, TimeSpan.FromSeconds(120));
        DateTimeOffset.UtcNow.ShouldBeGreaterThanOrEqualTo(due);
        sent.Count.ShouldBe(2);
        sent.Select(m => m.To.Mailboxes.Single().Address).ShouldBe(["pat@example.com", kept.Email], ignoreOrder: true);
        sent.ShouldAllBe(m => m.Subject!.StartsWith("Reminder: Call with "));
        await WaitForLog($"Reminder {minutes} min before booking {droppedId} not sent (withdrawn: the booking was canceled)", TimeSpan.FromSeconds(30));
        (await Mailbox.WaitFor(app.MailFolder, $"booking-reminder:{droppedId}", 1, TimeSpan.Zero)).ShouldBeEmpty();

        // Delivered again (a retry, a second node): it finds the reminder sent and sends nothing.
        var bus = app.Host.Services.GetRequiredService<IMessageBus>();
        await bus.InvokeAsync(new SendReminder(Guid.Parse(keptId), minutes, ReminderRecipients.Both, start));
        (await History(kept, keptId)).Count(t => t == "booking.reminder_sent").ShouldBe(1);
        (await Mailbox.WaitFor(app.MailFolder, $"booking-reminder:{keptId}", 3, TimeSpan.FromSeconds(2))).Count.ShouldBe(2);
        (await History(dropped, droppedId)).ShouldNotContain("booking.reminder_sent");
    }

    [Fact]
    public async Task reminders_already_past_are_not_scheduled_and_one_arriving_after_the_start_is_not_sent()
    {
        var (organizer, slug, _) = await Reminding(new { minutesBefore = 60 * 24 * 7, to = "invitee" }, new { minutesBefore = 30, to = "organizer" });
        var start = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(2).AddHours(10), TimeSpan.Zero);

        var booked = (await Book(organizer, slug, start)).ShouldBe(200).Json;
        booked["reminders"]!["scheduled"]!.GetValue<int>().ShouldBe(1);   // a week ahead has already passed
        var id = booked["booking"]!["id"]!.GetValue<string>();

        var bus = app.Host.Services.GetRequiredService<IMessageBus>();
        await app.Clock.At(start.AddMinutes(1), () => bus.InvokeAsync(new SendReminder(Guid.Parse(id), 30, ReminderRecipients.Organizer, start)));
        await WaitForLog($"Reminder 30 min before booking {id} not sent (too late: the booking has started)", TimeSpan.FromSeconds(5));
        (await History(organizer, id)).ShouldNotContain("booking.reminder_sent");
    }

    [Fact]
    public async Task a_reschedule_withdraws_the_old_bookings_reminders_and_schedules_the_new_ones()
    {
        var (organizer, slug, _) = await Reminding(new { minutesBefore = 60, to = "both" });
        var start = new DateTimeOffset(DateTimeOffset.UtcNow.UtcDateTime.Date.AddDays(3).AddHours(10), TimeSpan.Zero);
        var booked = (await Book(organizer, slug, start)).ShouldBe(200).Json;
        var oldId = booked["booking"]!["id"]!.GetValue<string>();

        var moved = (await _http.Post($"/v0/bookings/actions/{booked["actions"]!["reschedule"]!["token"]}/reschedule",
            new { startsAt = start.AddHours(2).ToString("yyyy-MM-ddTHH:mm:ssZ") }, idempotencyKey: Api.NewKey())).ShouldBe(200).Json;
        moved["reminders"]!["scheduled"]!.GetValue<int>().ShouldBe(1);

        var bus = app.Host.Services.GetRequiredService<IMessageBus>();
        await bus.InvokeAsync(new SendReminder(Guid.Parse(oldId), 60, ReminderRecipients.Both, start));
        await WaitForLog($"Reminder 60 min before booking {oldId} not sent (withdrawn: the booking was rescheduled)", TimeSpan.FromSeconds(5));

        var newId = moved["newBooking"]!["id"]!.GetValue<string>();
        await bus.InvokeAsync(new SendReminder(Guid.Parse(newId), 60, ReminderRecipients.Both, start.AddHours(2)));
        (await Mailbox.WaitFor(app.MailFolder, $"booking-reminder:{newId}", 2, TimeSpan.FromSeconds(20))).Count.ShouldBe(2);
    }
}
