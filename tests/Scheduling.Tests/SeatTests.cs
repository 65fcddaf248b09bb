using NodaTime;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;
using OpenCalendly.Scheduling.Teams;
using static OpenCalendly.Scheduling.Tests.SlotQueries;

namespace OpenCalendly.Scheduling.Tests;

public sealed class SeatTests
{
    private static readonly Guid Organizer = Guid.NewGuid();
    private static readonly Instant Now = At("2027-02-01T00:00:00Z");
    private static readonly ActionTokenHashes Tokens = new("cancel-hash", "reschedule-hash");

    private static EventType Class(int seats) => EventType.From(new EventTypeCreated(Guid.NewGuid(), Organizer,
        new EventTypeDetails("Class", "class", 60, LocationType.Video, null, [], Seats: new SeatSettings(seats, false)), Now.ToDateTimeOffset()));

    /// <summary>Mondays 09:00–12:00 UTC; <paramref name="reserved"/> is the organizer's taken time.</summary>
    private static SlotQuery Mondays(params TimeInterval[] reserved) =>
        Query("UTC", [Rule(IsoDayOfWeek.Monday, "09:00", "12:00")], "2027-03-01T00:00:00Z", 1, durationMinutes: 60, reserved: reserved, now: "2027-02-01T00:00:00Z");

    private static BookingRequest Request(string startsAt) => new(At(startsAt), "Pat", "pat@example.com", "Europe/Paris", new Dictionary<string, string>());

    private static readonly Slot TenOClock = new(At("2027-03-01T10:00:00Z"), At("2027-03-01T11:00:00Z"), 0, 0);

    private static SeatedSlot Filling(EventType eventType, params int[] taken) => new(Seats.SlotId(eventType.Id, TenOClock.Start), TenOClock, taken);

    [Fact]
    public void the_first_seat_takes_a_free_slot_as_any_booking_would_and_is_seat_one()
    {
        var eventType = Class(10);
        var e = BookSeat.Decide(Guid.NewGuid(), eventType, Mondays(), null, Request("2027-03-01T10:00:00Z"), Tokens, Now).Value!;

        e.Seat.ShouldBe(new BookingSeat(Seats.SlotId(eventType.Id, TenOClock.Start), 1, 10, 1));
        e.ReservedUserIds.ShouldBe([Organizer]);
        BookSeat.Decide(Guid.NewGuid(), eventType, Mondays(), null, Request("2027-03-01T10:10:00Z"), Tokens, Now).Refusal!.Code.ShouldBe("slot-taken");
    }

    [Fact]
    public void a_filling_slot_takes_the_lowest_free_seat_though_the_organizer_is_busy_then()
    {
        var eventType = Class(4);
        var busy = Mondays(new TimeInterval(TenOClock.Start, TenOClock.End));
        var e = BookSeat.Decide(Guid.NewGuid(), eventType, busy, Filling(eventType, 1, 3), Request("2027-03-01T10:00:00Z"), Tokens, Now).Value!;

        (e.Seat!.Number, e.Seat.SeatsTaken, e.Seat.SeatsPerSlot).ShouldBe((2, 3, 4));
        (e.StartsAt, e.EndsAt).ShouldBe((TenOClock.Start.ToDateTimeOffset(), TenOClock.End.ToDateTimeOffset()));
    }

    [Fact]
    public void seat_n_plus_one_of_n_is_refused_as_taken()
    {
        var eventType = Class(3);
        BookSeat.Decide(Guid.NewGuid(), eventType, Mondays(), Filling(eventType, 1, 2, 3), Request("2027-03-01T10:00:00Z"), Tokens, Now)
            .Refusal!.Code.ShouldBe("slot-taken");
    }

    [Fact]
    public void a_filling_slot_that_has_started_is_no_longer_joined()
    {
        var eventType = Class(3);
        var late = At("2027-03-01T10:01:00Z");
        BookSeat.Decide(Guid.NewGuid(), eventType, Mondays() with { Now = late }, Filling(eventType, 1), Request("2027-03-01T10:00:00Z"), Tokens, late)
            .Refusal!.Code.ShouldBe("slot-taken");
    }

    [Fact]
    public void free_seats_are_counted_around_the_gaps_a_cancel_leaves()
    {
        var slot = new SeatedSlot(Guid.NewGuid(), TenOClock, [2, 3, 5]);
        slot.FreeSeat(5).ShouldBe(1);
        new SeatedSlot(Guid.NewGuid(), TenOClock, [1, 2, 3]).FreeSeat(5).ShouldBe(4);
        new SeatedSlot(Guid.NewGuid(), TenOClock, [1, 2]).FreeSeat(2).ShouldBeNull();
    }

    [Fact]
    public void a_seated_event_type_offers_free_slots_with_every_seat_and_filling_ones_with_the_seats_left()
    {
        var eventType = Class(4);
        var query = Mondays(new TimeInterval(TenOClock.Start, TenOClock.End));
        var free = SlotCalculator.Compute(query);
        var offered = Seats.Offer(query, free, [Filling(eventType, 1, 2, 3), new SeatedSlot(Guid.NewGuid(), TenOClock with { Start = At("2027-03-08T10:00:00Z"), End = At("2027-03-08T11:00:00Z") }, [1])], 4);

        offered.Select(o => (InstantFormat(o.Slot.Start), o.SeatsRemaining)).ShouldBe([("2027-03-01T09:00:00Z", 4), ("2027-03-01T10:00:00Z", 1), ("2027-03-01T11:00:00Z", 4)]);
        Seats.Offer(query, free, [Filling(eventType, 1, 2, 3, 4)], 4).Select(o => o.Slot.Start).ShouldNotContain(TenOClock.Start);
    }

    private static string InstantFormat(Instant i) => NodaTime.Text.InstantPattern.General.Format(i);

    private static readonly Guid Ana = Guid.NewGuid(), Ben = Guid.NewGuid();

    private static EventType Workshop(int seats, int minimumNoticeMinutes = 0) => EventType.From(new TeamEventTypeCreated(Guid.NewGuid(), Organizer,
        new TeamSettings(Guid.NewGuid(), TeamMode.Collective, [Ana, Ben]),
        new EventTypeDetails("Workshop", "workshop", 60, LocationType.Video, null, [],
            BookingControls.Default with { MinimumNoticeMinutes = minimumNoticeMinutes }, Seats: new SeatSettings(seats, false)), Now.ToDateTimeOffset()));

    [Fact]
    public void a_team_seat_meets_the_whole_pool_first_where_all_are_free_then_joining_while_seats_last()
    {
        var workshop = Workshop(2);
        var free = new[] { new MemberSlot(Ana, TenOClock), new MemberSlot(Ben, TenOClock) };
        var request = Request("2027-03-01T10:00:00Z");

        var first = BookTeamSeat.Confirm(Guid.NewGuid(), workshop, DateTimeZone.Utc, [Ana, Ben], free, null, request, Tokens, Now).Value!;
        first.ReservedUserIds.Order().ShouldBe(new[] { Ana, Ben }.Order());
        first.Seat.ShouldBe(new BookingSeat(Seats.SlotId(workshop.Id, TenOClock.Start), 1, 2, 1));
        BookTeamSeat.Confirm(Guid.NewGuid(), workshop, DateTimeZone.Utc, [Ana, Ben], null, null, request, Tokens, Now).Refusal!.Code.ShouldBe("slot-taken");

        var joined = BookTeamSeat.Confirm(Guid.NewGuid(), workshop, DateTimeZone.Utc, [Ana, Ben], null, Filling(workshop, 1), request, Tokens, Now).Value!;
        (joined.Seat!.Number, joined.Seat.SeatsTaken, joined.ReservedUserIds.Count).ShouldBe((2, 2, 2));
        BookTeamSeat.Confirm(Guid.NewGuid(), workshop, DateTimeZone.Utc, [Ana, Ben], null, Filling(workshop, 1, 2), request, Tokens, Now)
            .Refusal!.Code.ShouldBe("slot-taken");
    }

    [Fact]
    public void a_filling_team_slot_inside_the_minimum_notice_is_not_joined_nor_offered()
    {
        var workshop = Workshop(5, minimumNoticeMinutes: 60);
        var justBefore = TenOClock.Start - Duration.FromMinutes(30);
        BookTeamSeat.Confirm(Guid.NewGuid(), workshop, DateTimeZone.Utc, [Ana, Ben], null, Filling(workshop, 1), Request("2027-03-01T10:00:00Z"), Tokens, justBefore)
            .Refusal!.Code.ShouldBe("slot-taken");
        BookTeamSeat.Offer(workshop, DateTimeZone.Utc, [Ana, Ben], [], [Filling(workshop, 1)], TenOClock.Start - Duration.FromDays(1), TenOClock.End, justBefore)
            .ShouldBeEmpty();
        BookTeamSeat.Offer(workshop, DateTimeZone.Utc, [Ana, Ben], [], [Filling(workshop, 1)], TenOClock.Start - Duration.FromDays(1), TenOClock.End, Now)
            .ShouldHaveSingleItem().SeatsRemaining.ShouldBe(4);
    }
}
