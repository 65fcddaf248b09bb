using NodaTime;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.EventTypes;
using static OpenCalendly.Scheduling.Tests.SlotQueries;

namespace OpenCalendly.Scheduling.Tests;

/// <summary>
/// Notice, window, increment, buffers, caps and time off, around New York's 2027 changes: spring forward on
/// Sunday 14 March (02:00 → 03:00), fall back on Sunday 7 November (02:00 → 01:00).
/// </summary>
public sealed class BookingControlsTests
{
    private const string NewYork = "America/New_York";
    private static readonly IsoDayOfWeek[] EveryDay = [.. Enumerable.Range(1, 7).Select(d => (IsoDayOfWeek)d)];

    private static IEnumerable<WeeklyRule> Daily(string from, string to) => EveryDay.Select(d => Rule(d, from, to));

    private static SlotQuery With(SlotQuery query, BookingControls controls, IEnumerable<Instant>? counted = null, IEnumerable<TimeOffPeriod>? timeOff = null) =>
        query with
        {
            Step = Duration.FromMinutes(controls.SlotIncrementMinutes),
            Limits = SlotLimits.From(controls, [.. counted ?? []], [.. (timeOff ?? []).Select(t => t.In(query.Zone))]),
        };

    [Fact]
    public void minimum_notice_is_elapsed_time_so_a_day_of_notice_across_spring_forward_lands_an_hour_later_on_the_wall_clock()
    {
        // Saturday 10:00 EST + 24 hours = Sunday 11:00 EDT.
        var query = Query(NewYork, Daily("09:00", "17:00"), "2027-03-13T00:00:00Z", 2, now: "2027-03-13T15:00:00Z");

        var starts = LocalStarts(With(query, new BookingControls(MinimumNoticeMinutes: 24 * 60)));

        starts.First().ShouldBe("2027-03-14 11:00");
    }

    [Fact]
    public void minimum_notice_keeps_steps_anchored_to_the_window()
    {
        // 08:50 EST + 2 h = 10:50: the next step of a window opening at 09:00 is 11:00.
        var query = Query(NewYork, Daily("09:00", "17:00"), "2027-03-12T00:00:00Z", 1, now: "2027-03-12T13:50:00Z");

        LocalStarts(With(query, new BookingControls(MinimumNoticeMinutes: 120))).First().ShouldBe("2027-03-12 11:00");
    }

    [Theory]
    // 23:30 EST on Saturday: a one-day window covers Saturday and Sunday (a 23-hour day), not Monday.
    [InlineData("2027-03-14T04:30:00Z", 1, "2027-03-14 16:30")]
    [InlineData("2027-03-14T04:30:00Z", 0, null)]
    // 00:30 EDT on Sunday 7 November (a 25-hour day): zero days still means "today", the whole of it.
    [InlineData("2027-11-07T04:30:00Z", 0, "2027-11-07 16:30")]
    public void the_booking_window_counts_the_organizers_calendar_days(string now, int days, string? lastSlot)
    {
        var query = Query(NewYork, Daily("09:00", "17:00"), "2027-03-13T00:00:00Z", 3, now: now);
        if (now.StartsWith("2027-11")) query = Query(NewYork, Daily("09:00", "17:00"), "2027-11-06T00:00:00Z", 3, now: now);

        var starts = LocalStarts(With(query, new BookingControls(BookingWindowDays: days)));

        if (lastSlot is null) starts.ShouldBeEmpty();
        else starts.Last().ShouldBe(lastSlot);
    }

    [Fact]
    public void the_increment_steps_elapsed_time_from_each_window_start()
    {
        var query = Query(NewYork, [Rule(IsoDayOfWeek.Friday, "09:00", "10:00")], "2027-03-12T00:00:00Z", 1);

        LocalStarts(With(query, new BookingControls(SlotIncrementMinutes: 20))).ShouldBe(["2027-03-12 09:00", "2027-03-12 09:20"]);
    }

    [Fact]
    public void the_increment_across_the_skipped_hour_counts_real_minutes()
    {
        var query = Query(NewYork, [Rule(IsoDayOfWeek.Sunday, "01:00", "04:00")], "2027-03-14T00:00:00Z", 1);

        LocalStarts(With(query, new BookingControls(SlotIncrementMinutes: 20))).ShouldBe([
            "2027-03-14 01:00", "2027-03-14 01:20", "2027-03-14 01:40", "2027-03-14 03:00", "2027-03-14 03:20",
        ]);
    }

    [Fact]
    public void event_type_buffers_add_to_the_rules_buffers()
    {
        var query = Query(NewYork, [Rule(IsoDayOfWeek.Friday, "09:00", "12:00", before: 10, after: 5)], "2027-03-12T00:00:00Z", 1);

        var slot = SlotCalculator.Compute(With(query, new BookingControls(BufferBeforeMinutes: 15, BufferAfterMinutes: 20)))[0];

        (slot.BufferBeforeMinutes, slot.BufferAfterMinutes).ShouldBe((25, 25));
    }

    [Fact]
    public void the_extra_buffer_keeps_a_slot_away_from_an_existing_booking()
    {
        // A booking at 10:00–10:30 local; a 30-minute slot needs 15 free minutes after it.
        var booked = new TimeInterval(At("2027-03-12T15:00:00Z"), At("2027-03-12T15:30:00Z"));
        var query = Query(NewYork, [Rule(IsoDayOfWeek.Friday, "09:00", "12:00")], "2027-03-12T00:00:00Z", 1, reserved: [booked]);

        var starts = LocalStarts(With(query, new BookingControls(BufferAfterMinutes: 15)));

        starts.ShouldNotContain("2027-03-12 09:30");
        starts.ShouldContain("2027-03-12 09:15");
    }

    [Fact]
    public void a_daily_cap_counts_the_organizers_local_date_across_fall_back()
    {
        // 04:30Z on 8 November is still Sunday 7 November, 23:30 EST: it fills Sunday, not Monday.
        var query = Query(NewYork, Daily("09:00", "17:00"), "2027-11-07T05:00:00Z", 2, now: "2027-11-01T00:00:00Z");

        var starts = LocalStarts(With(query, new BookingControls(DailyCap: 1), counted: [At("2027-11-08T04:30:00Z")]));

        starts.ShouldNotContain(s => s.StartsWith("2027-11-07"));
        starts.First().ShouldBe("2027-11-08 09:00");
    }

    [Fact]
    public void a_daily_cap_leaves_days_below_it_open()
    {
        var query = Query(NewYork, Daily("09:00", "17:00"), "2027-03-12T05:00:00Z", 2);
        var twoOnFriday = new[] { At("2027-03-12T14:00:00Z"), At("2027-03-12T16:00:00Z") };

        LocalStarts(With(query, new BookingControls(DailyCap: 3), counted: twoOnFriday)).First().ShouldBe("2027-03-12 09:00");
        LocalStarts(With(query, new BookingControls(DailyCap: 2), counted: twoOnFriday)).First().ShouldBe("2027-03-13 09:00");
    }

    [Fact]
    public void a_weekly_cap_counts_monday_to_sunday_in_the_organizers_zone()
    {
        // The third booking is Sunday 14 March 23:30 EDT (03:30Z Monday): it belongs to the week of 8 March.
        var counted = new[] { At("2027-03-08T15:00:00Z"), At("2027-03-10T15:00:00Z"), At("2027-03-15T03:30:00Z") };
        var query = Query(NewYork, Daily("09:00", "17:00"), "2027-03-11T05:00:00Z", 7, now: "2027-03-01T00:00:00Z");

        var starts = LocalStarts(With(query, new BookingControls(WeeklyCap: 3), counted: counted));

        starts.First().ShouldBe("2027-03-15 09:00");
        LocalStarts(With(query, new BookingControls(WeeklyCap: 4), counted: counted)).First().ShouldBe("2027-03-11 09:00");
    }

    [Fact]
    public void an_all_day_time_off_blocks_the_whole_local_date_even_when_it_has_23_hours()
    {
        var query = Query(NewYork, Daily("00:00", "24:00"), "2027-03-13T05:00:00Z", 3, durationMinutes: 60, stepMinutes: 60);
        var dayOff = new TimeOffPeriod.AllDay(new LocalDate(2027, 3, 14), new LocalDate(2027, 3, 14));

        var starts = LocalStarts(With(query, BookingControls.Default with { SlotIncrementMinutes = 60 }, timeOff: [dayOff]));

        starts.ShouldContain("2027-03-13 23:00");
        starts.ShouldNotContain(s => s.StartsWith("2027-03-14"));
        starts.ShouldContain("2027-03-15 00:00");
        dayOff.In(DateTimeZoneProviders.Tzdb[NewYork]).ShouldBe(new TimeInterval(At("2027-03-14T05:00:00Z"), At("2027-03-15T04:00:00Z")));
    }

    [Fact]
    public void a_timed_time_off_blocks_only_the_slots_it_overlaps()
    {
        var query = Query(NewYork, [Rule(IsoDayOfWeek.Friday, "09:00", "11:00")], "2027-03-12T00:00:00Z", 1);
        var away = new TimeOffPeriod.Timed(At("2027-03-12T14:30:00Z"), At("2027-03-12T15:00:00Z"));

        LocalStarts(With(query, BookingControls.Default, timeOff: [away])).ShouldBe([
            "2027-03-12 09:00", "2027-03-12 10:00", "2027-03-12 10:15", "2027-03-12 10:30",
        ]);
    }

    [Fact]
    public void default_controls_change_nothing()
    {
        var query = Query(NewYork, Daily("09:00", "17:00"), "2027-03-12T00:00:00Z", 3);

        LocalStarts(With(query, BookingControls.Default)).ShouldBe(LocalStarts(query));
    }

    [Fact]
    public void revising_only_the_controls_is_a_revision_and_repeating_them_appends_nothing()
    {
        var current = EventType.From(new EventTypeCreated(Guid.NewGuid(), Guid.NewGuid(),
            new EventTypeDetails("Intro", "intro", 30, LocationType.Video, null, []), DateTimeOffset.UnixEpoch));
        var controls = new BookingControls(MinimumNoticeMinutes: 60, DailyCap: 3);

        var revised = ReviseEventType.Decide(current, new EventTypeChange(Controls: controls), DateTimeOffset.UnixEpoch)
            .ShouldHaveSingleItem().ShouldBeOfType<EventTypeDetailsRevised>();
        current.Evolve([revised]);

        current.Controls.ShouldBe(controls);
        ReviseEventType.Decide(current, new EventTypeChange(Controls: controls with { }), DateTimeOffset.UnixEpoch).ShouldBeEmpty();
        ReviseEventType.Decide(current, new EventTypeChange(Reminders: [new Reminder(60, ReminderRecipients.Both)]), DateTimeOffset.UnixEpoch)
            .ShouldHaveSingleItem();
    }
}

public sealed class HolidayPresetTests
{
    [Theory]
    [InlineData("US", 2027, "2027-07-05", "Independence Day")]   // 4 July is a Sunday: observed Monday
    [InlineData("US", 2027, "2027-12-31", "New Year")]           // 1 January 2028 is a Saturday: observed the Friday before
    [InlineData("US", 2027, "2027-11-25", "Thanksgiving")]       // fourth Thursday of November
    [InlineData("GB", 2027, "2027-03-26", "Good Friday")]        // Easter 2027 is 28 March
    [InlineData("GB", 2027, "2027-12-28", "Boxing Day")]         // Christmas on Saturday, Boxing Day on Sunday: both move
    [InlineData("DE", 2027, "2027-05-17", "Pfingstmontag")]      // Easter + 50 days
    [InlineData("DE", 2024, "2024-10-03", "Tag der Deutschen Einheit")]
    [InlineData("IN", 2027, "2027-01-26", "Republic Day")]
    [InlineData("IN", 2027, "2027-10-02", "Gandhi Jayanti")]
    public void presets_are_computed_from_rules(string country, int year, string date, string name)
    {
        var holidays = HolidayPresets.For(country, year).ShouldNotBeNull();

        holidays.ShouldContain(new Holiday(NodaTime.Text.LocalDatePattern.Iso.Parse(date).Value, name));
        holidays.ShouldAllBe(h => h.Date.Year == year);
        holidays.Select(h => h.Date).ShouldBeInOrder();
    }

    [Fact]
    public void the_us_has_eleven_federal_holidays_and_india_three_national_ones()
    {
        HolidayPresets.For("US", 2026)!.Count.ShouldBe(11);
        HolidayPresets.For("IN", 2026)!.Count.ShouldBe(3);
        HolidayPresets.For("uk", 2026).ShouldBe(HolidayPresets.For("GB", 2026));
    }

    [Theory]
    [InlineData("FR", 2027)]
    [InlineData("US", 1999)]
    [InlineData("US", 2101)]
    public void unknown_countries_and_years_outside_the_range_have_no_preset(string country, int year) =>
        HolidayPresets.For(country, year).ShouldBeNull();
}
