using NodaTime;
using OpenCalendly.Scheduling.Availability;
using static OpenCalendly.Scheduling.Tests.SlotQueries;

namespace OpenCalendly.Scheduling.Tests;

public sealed class SlotCalculatorRulesTests
{
    private static readonly WeeklyRule[] Weekdays9To5 =
        [.. new[] { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday }
            .Select(d => Rule(d, "09:00", "17:00"))];

    [Fact]
    public void a_thirty_day_window_of_weekday_hours_has_682_slots()
    {
        var query = Query("America/New_York", Weekdays9To5, "2027-03-01T05:00:00Z", 30);

        var slots = SlotCalculator.Compute(query);

        slots.Count.ShouldBe(682);
        slots.Select(s => s.Start).ShouldBeInOrder();
        slots.Select(s => s.Start).Distinct().Count().ShouldBe(682);
    }

    [Fact]
    public void slots_step_every_fifteen_minutes_and_fit_wholly_inside_the_window()
    {
        var query = Query("UTC", [Rule(IsoDayOfWeek.Monday, "09:00", "10:00")], "2027-03-01T00:00:00Z", 1, durationMinutes: 45);

        Starts(query).ShouldBe(["2027-03-01T09:00:00Z", "2027-03-01T09:15:00Z"]);
    }

    [Fact]
    public void a_slot_must_fit_inside_the_requested_range()
    {
        var query = Query("UTC", [Rule(IsoDayOfWeek.Monday, "09:00", "12:00")], "2027-03-01T09:40:00Z", 1) with
        {
            RangeEnd = At("2027-03-01T10:45:00Z"),
        };

        Starts(query).ShouldBe(["2027-03-01T09:45:00Z", "2027-03-01T10:00:00Z", "2027-03-01T10:15:00Z"]);
    }

    [Theory]
    [InlineData("2027-03-01T10:07:00Z", "2027-03-01T10:15:00Z")] // steps stay anchored to the window start
    [InlineData("2027-03-01T10:15:00Z", "2027-03-01T10:15:00Z")] // a slot starting exactly now is still offered
    [InlineData("2027-03-01T10:15:00.001Z", "2027-03-01T10:30:00Z")]
    public void slots_that_start_in_the_past_are_never_offered(string now, string firstSlot)
    {
        var query = Query("UTC", [Rule(IsoDayOfWeek.Monday, "09:00", "17:00")], "2027-03-01T00:00:00Z", 1, now: now);

        Starts(query).First().ShouldBe(firstSlot);
    }

    [Fact]
    public void an_available_override_adds_a_window_on_a_day_without_rules()
    {
        var saturday = new AvailabilityOverride(At("2027-03-06T10:00:00Z"), At("2027-03-06T11:00:00Z"), IsAvailable: true);
        var query = Query("UTC", Weekdays9To5, "2027-03-06T00:00:00Z", 1, overrides: [saturday]);

        var slots = SlotCalculator.Compute(query);
        slots.Select(s => s.Start).ShouldBe([At("2027-03-06T10:00:00Z"), At("2027-03-06T10:15:00Z"), At("2027-03-06T10:30:00Z")]);
        slots.ShouldAllBe(s => s.BufferBeforeMinutes == 0 && s.BufferAfterMinutes == 0);
    }

    [Fact]
    public void an_unavailable_override_removes_every_slot_it_overlaps()
    {
        var lunch = new AvailabilityOverride(At("2027-03-01T12:00:00Z"), At("2027-03-01T13:00:00Z"), IsAvailable: false);
        var query = Query("UTC", Weekdays9To5, "2027-03-01T00:00:00Z", 1, overrides: [lunch]);

        var starts = Starts(query);
        starts.ShouldContain("2027-03-01T11:30:00Z");
        starts.ShouldNotContain("2027-03-01T11:45:00Z");
        starts.ShouldNotContain("2027-03-01T12:45:00Z");
        starts.ShouldContain("2027-03-01T13:00:00Z");
        starts.Length.ShouldBe(31 - 5);
    }

    [Fact]
    public void buffers_widen_both_the_slot_and_the_booking()
    {
        // The booking 10:00–10:30 was made with 15-minute buffers: it holds 09:45–10:45.
        var booking = new TimeInterval(At("2027-03-01T09:45:00Z"), At("2027-03-01T10:45:00Z"));
        var query = Query("UTC", [Rule(IsoDayOfWeek.Monday, "09:00", "12:00", before: 15, after: 15)], "2027-03-01T00:00:00Z", 1, reserved: [booking]);

        var starts = Starts(query);
        starts.ShouldContain("2027-03-01T09:00:00Z");     // holds 08:45–09:45: touches, no overlap
        starts.ShouldNotContain("2027-03-01T09:15:00Z");  // holds 09:00–10:00
        starts.ShouldNotContain("2027-03-01T10:45:00Z");  // holds 10:30–11:30
        starts.ShouldContain("2027-03-01T11:00:00Z");     // holds 10:45–11:45
    }

    [Fact]
    public void a_slot_keeps_the_buffers_of_the_rule_whose_window_holds_it()
    {
        var query = Query("UTC", [Rule(IsoDayOfWeek.Monday, "09:00", "10:00", before: 5, after: 10)], "2027-03-01T00:00:00Z", 1);

        SlotCalculator.Compute(query).ShouldAllBe(s => s.BufferBeforeMinutes == 5 && s.BufferAfterMinutes == 10);
    }

    [Fact]
    public void external_busy_windows_block_the_slots_they_overlap()
    {
        var busy = new TimeInterval(At("2027-03-01T09:20:00Z"), At("2027-03-01T09:40:00Z"));
        var query = Query("UTC", [Rule(IsoDayOfWeek.Monday, "09:00", "10:30")], "2027-03-01T00:00:00Z", 1, busy: [busy]);

        Starts(query).ShouldBe(["2027-03-01T09:45:00Z", "2027-03-01T10:00:00Z"]);
    }

    [Fact]
    public void overlapping_windows_offer_each_start_once()
    {
        var query = Query("UTC", [Rule(IsoDayOfWeek.Monday, "09:00", "10:00"), Rule(IsoDayOfWeek.Monday, "09:30", "10:30")], "2027-03-01T00:00:00Z", 1);

        Starts(query).ShouldBe([
            "2027-03-01T09:00:00Z", "2027-03-01T09:15:00Z", "2027-03-01T09:30:00Z",
            "2027-03-01T09:45:00Z", "2027-03-01T10:00:00Z",
        ]);
    }

    [Fact]
    public void find_returns_only_an_offered_start()
    {
        var query = Query("UTC", [Rule(IsoDayOfWeek.Monday, "09:00", "10:00")], "2027-03-01T00:00:00Z", 1);

        SlotCalculator.Find(query, At("2027-03-01T09:15:00Z")).ShouldNotBeNull();
        SlotCalculator.Find(query, At("2027-03-01T09:10:00Z")).ShouldBeNull();
        SlotCalculator.Find(query, At("2027-03-01T09:45:00Z")).ShouldBeNull();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void the_sweep_agrees_with_checking_every_slot_against_every_booking(int seed)
    {
        var random = new Random(seed);
        var origin = At("2027-03-01T05:00:00Z");
        var reserved = Enumerable.Range(0, 400).Select(_ =>
        {
            var start = origin + Duration.FromMinutes(random.Next(0, 30 * 24 * 60));
            return new TimeInterval(start, start + Duration.FromMinutes(random.Next(5, 120)));
        }).ToArray();
        var rules = Weekdays9To5.Select(r => r with { BufferBeforeMinutes = 10, BufferAfterMinutes = 5 });
        var free = Query("America/New_York", rules, "2027-03-01T05:00:00Z", 30);
        var withBookings = free with { Reserved = reserved };

        var expected = SlotCalculator.Compute(free).Where(s => !reserved.Any(r => r.Overlaps(s.Reserved))).ToArray();

        SlotCalculator.Compute(withBookings).ShouldBe(expected);
        expected.Length.ShouldBeLessThan(682);
    }
}
