using NodaTime;
using static OpenCalendly.Scheduling.Tests.SlotQueries;

namespace OpenCalendly.Scheduling.Tests;

/// <summary>Weekly rules are wall-clock times: they stay put across DST, and skipped local times give no slot.</summary>
public sealed class SlotCalculatorDstTests
{
    [Theory]
    // New York springs forward on 2027-03-14 (02:00 → 03:00), falls back on 2027-11-07 (02:00 → 01:00).
    [InlineData("America/New_York", "2027-03-12T00:00:00Z", "2027-03-12T14:00:00Z")] // Friday before: EST, 09:00 = 14:00Z
    [InlineData("America/New_York", "2027-03-15T00:00:00Z", "2027-03-15T13:00:00Z")] // Monday after: EDT, 09:00 = 13:00Z
    [InlineData("America/New_York", "2027-11-05T00:00:00Z", "2027-11-05T13:00:00Z")]
    [InlineData("America/New_York", "2027-11-08T00:00:00Z", "2027-11-08T14:00:00Z")]
    // London springs forward on 2027-03-28 (01:00 → 02:00), falls back on 2027-10-31 (02:00 → 01:00).
    [InlineData("Europe/London", "2027-03-26T00:00:00Z", "2027-03-26T09:00:00Z")]
    [InlineData("Europe/London", "2027-03-29T00:00:00Z", "2027-03-29T08:00:00Z")]
    [InlineData("Europe/London", "2027-10-29T00:00:00Z", "2027-10-29T08:00:00Z")]
    [InlineData("Europe/London", "2027-11-01T00:00:00Z", "2027-11-01T09:00:00Z")]
    public void nine_oclock_stays_nine_oclock_local_across_daylight_saving(string zone, string day, string firstSlot)
    {
        var weekdays = new[] { IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday, IsoDayOfWeek.Wednesday, IsoDayOfWeek.Thursday, IsoDayOfWeek.Friday };
        var query = Query(zone, weekdays.Select(d => Rule(d, "09:00", "17:00")), day, 1);

        Starts(query).First().ShouldBe(firstSlot);
        LocalStarts(query).First()[11..].ShouldBe("09:00");
        LocalStarts(query).Last()[11..].ShouldBe("16:30");
    }

    [Fact]
    public void spring_forward_skips_the_missing_hour_and_counts_elapsed_time()
    {
        // 01:00 EST .. 04:00 EDT is two real hours: slots at 01:00–01:45 EST then 03:00–03:30 EDT.
        var query = Query("America/New_York", [Rule(IsoDayOfWeek.Sunday, "01:00", "04:00")], "2027-03-14T00:00:00Z", 1);

        LocalStarts(query).ShouldBe([
            "2027-03-14 01:00", "2027-03-14 01:15", "2027-03-14 01:30", "2027-03-14 01:45",
            "2027-03-14 03:00", "2027-03-14 03:15", "2027-03-14 03:30",
        ]);
        Starts(query).First().ShouldBe("2027-03-14T06:00:00Z");
        Starts(query).Last().ShouldBe("2027-03-14T07:30:00Z");
    }

    [Theory]
    [InlineData("America/New_York", "2027-03-14T00:00:00Z", "02:00", "02:45")]
    [InlineData("Europe/London", "2027-03-28T00:00:00Z", "01:00", "01:45")]
    [InlineData("Australia/Lord_Howe", "2027-10-02T12:00:00Z", "02:00", "02:30")]
    public void a_rule_window_inside_the_skipped_hour_yields_no_slot(string zone, string day, string from, string to)
    {
        var query = Query(zone, [Rule(IsoDayOfWeek.Sunday, from, to)], day, 1, durationMinutes: 15);

        Starts(query).ShouldBeEmpty();
    }

    [Fact]
    public void the_same_rule_window_offers_slots_on_an_ordinary_sunday()
    {
        var query = Query("America/New_York", [Rule(IsoDayOfWeek.Sunday, "02:00", "02:45")], "2027-03-21T00:00:00Z", 1);

        LocalStarts(query).ShouldBe(["2027-03-21 02:00", "2027-03-21 02:15"]);
    }

    [Fact]
    public void fall_back_takes_the_earlier_offset_for_an_ambiguous_bound_and_offers_the_repeated_hour()
    {
        // 01:00 is ambiguous on 2027-11-07: the earlier (EDT, 05:00Z) is the start; 03:00 EST = 08:00Z the end.
        var query = Query("America/New_York", [Rule(IsoDayOfWeek.Sunday, "01:00", "03:00")], "2027-11-07T00:00:00Z", 1);

        var starts = Starts(query);
        starts.First().ShouldBe("2027-11-07T05:00:00Z");
        starts.Last().ShouldBe("2027-11-07T07:30:00Z");
        starts.Length.ShouldBe(11);
        starts.Distinct().Count().ShouldBe(starts.Length);
    }

    [Fact]
    public void kathmandu_keeps_its_quarter_hour_offset()
    {
        var query = Query("Asia/Kathmandu", [Rule(IsoDayOfWeek.Monday, "09:00", "10:00")], "2027-03-01T00:00:00Z", 1);

        Starts(query).ShouldBe(["2027-03-01T03:15:00Z", "2027-03-01T03:30:00Z", "2027-03-01T03:45:00Z"]);
    }

    [Fact]
    public void lord_howe_half_hour_daylight_saving_moves_a_bound_in_the_gap_to_its_end()
    {
        // 2027-10-03 02:00 → 02:30 (+10:30 → +11). A 02:00–03:00 window really runs 02:30–03:00.
        var query = Query("Australia/Lord_Howe", [Rule(IsoDayOfWeek.Sunday, "02:00", "03:00")], "2027-10-02T12:00:00Z", 1);

        LocalStarts(query).ShouldBe(["2027-10-03 02:30"]);
        Starts(query).ShouldBe(["2027-10-02T15:30:00Z"]);
    }

    [Fact]
    public void lord_howe_half_hour_fall_back_offers_the_repeated_half_hour()
    {
        // 2027-04-04 02:00 (+11) → 01:30 (+10:30): 01:00–03:00 local is 2h30 of real time.
        var query = Query("Australia/Lord_Howe", [Rule(IsoDayOfWeek.Sunday, "01:00", "03:00")], "2027-04-03T12:00:00Z", 1);

        var slots = OpenCalendly.Scheduling.Availability.SlotCalculator.Compute(query);
        (slots[^1].End - slots[0].Start).ShouldBe(Duration.FromMinutes(150));
        slots.Count.ShouldBe(9);
    }
}
