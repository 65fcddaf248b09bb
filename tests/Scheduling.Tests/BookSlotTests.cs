using NodaTime;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;
using static OpenCalendly.Scheduling.Tests.SlotQueries;

namespace OpenCalendly.Scheduling.Tests;

public sealed class BookSlotTests
{
    private static readonly Guid Organizer = Guid.NewGuid();
    private static readonly Instant Now = At("2027-02-01T00:00:00Z");
    private static readonly ActionTokenHashes Tokens = new("cancel-hash", "reschedule-hash");

    private static EventType IntroCall(bool active = true)
    {
        var eventType = EventType.From(new EventTypeCreated(Guid.NewGuid(), Organizer,
            new EventTypeDetails("Intro", "intro", 30, LocationType.Video, null,
                [new Question("company", "Company", true, null), new Question("topic", "Topic", false, null)]),
            Now.ToDateTimeOffset()));
        if (!active) eventType.When(new EventTypeDeactivated(eventType.Id, Organizer, Now.ToDateTimeOffset()));
        return eventType;
    }

    private static SlotQuery Mondays(params TimeInterval[] reserved) =>
        Query("UTC", [Rule(IsoDayOfWeek.Monday, "09:00", "12:00", before: 10, after: 5)], "2027-03-01T00:00:00Z", 1, reserved: reserved, now: "2027-02-01T00:00:00Z");

    private static BookingRequest Request(string startsAt, Dictionary<string, string>? answers = null) =>
        new(At(startsAt), "Pat", "pat@example.com", "Europe/Paris", answers ?? new() { ["company"] = "Acme" });

    [Fact]
    public void action_links_of_a_booking_years_ahead_expire_a_year_after_they_were_issued()
    {
        var twoYearsOut = Query("UTC", [Rule(IsoDayOfWeek.Monday, "09:00", "12:00")], "2029-03-05T00:00:00Z", 1, now: "2027-02-01T00:00:00Z");
        var e = BookSlot.Decide(Guid.NewGuid(), IntroCall(), twoYearsOut, Request("2029-03-05T09:00:00Z"), Tokens, Now).Value!;

        e.ActionTokensExpireAt.ShouldBe((Now + Duration.FromDays(365)).ToDateTimeOffset());
        ActionLinks.ExpiresAt(At("2027-03-01T09:30:00Z"), Now).ShouldBe(At("2027-03-01T09:30:00Z"));
    }

    [Fact]
    public void an_offered_slot_is_confirmed_with_the_buffers_of_its_window_and_tokens_expiring_at_the_start()
    {
        var id = Guid.NewGuid();
        var decision = BookSlot.Decide(id, IntroCall(), Mondays(), Request("2027-03-01T09:30:00Z"), Tokens, Now);

        decision.Refusal.ShouldBeNull();
        var e = decision.Value!;
        (e.BookingId, e.OrganizerId, e.StartsAt, e.EndsAt).ShouldBe((id, Organizer,
            At("2027-03-01T09:30:00Z").ToDateTimeOffset(), At("2027-03-01T10:00:00Z").ToDateTimeOffset()));
        (e.BufferBeforeMinutes, e.BufferAfterMinutes).ShouldBe((10, 5));
        e.ReservedUserIds.ShouldBe([Organizer]);
        e.ActionTokensExpireAt.ShouldBe(e.StartsAt);
        (e.CancelTokenHash, e.RescheduleTokenHash).ShouldBe(("cancel-hash", "reschedule-hash"));
    }

    [Fact]
    public void a_start_that_is_not_offered_is_refused_as_taken()
    {
        var decision = BookSlot.Decide(Guid.NewGuid(), IntroCall(), Mondays(), Request("2027-03-01T09:20:00Z"), Tokens, Now);

        decision.Refusal!.Code.ShouldBe("slot-taken");
    }

    [Fact]
    public void a_slot_overlapping_a_reservation_is_refused_as_taken()
    {
        var reserved = new TimeInterval(At("2027-03-01T10:00:00Z"), At("2027-03-01T10:30:00Z"));

        var decision = BookSlot.Decide(Guid.NewGuid(), IntroCall(), Mondays(reserved), Request("2027-03-01T09:30:00Z"), Tokens, Now);

        decision.Refusal!.Code.ShouldBe("slot-taken");
    }

    [Fact]
    public void a_required_question_must_be_answered()
    {
        var decision = BookSlot.Decide(Guid.NewGuid(), IntroCall(), Mondays(), Request("2027-03-01T09:30:00Z", new() { ["topic"] = "x" }), Tokens, Now);

        decision.Refusal!.Code.ShouldBe("answer-required");
        decision.Refusal.Message.ShouldContain("Company");
    }

    [Fact]
    public void an_answer_to_an_unknown_question_is_refused()
    {
        var decision = BookSlot.Decide(Guid.NewGuid(), IntroCall(), Mondays(),
            Request("2027-03-01T09:30:00Z", new() { ["company"] = "Acme", ["shoe-size"] = "44" }), Tokens, Now);

        decision.Refusal!.Code.ShouldBe("unknown-question");
    }

    [Fact]
    public void an_inactive_event_type_cannot_be_booked()
    {
        var decision = BookSlot.Decide(Guid.NewGuid(), IntroCall(active: false), Mondays(), Request("2027-03-01T09:30:00Z"), Tokens, Now);

        decision.Refusal!.Code.ShouldBe("not-found");
    }
}
