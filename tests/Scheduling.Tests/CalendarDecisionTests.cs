using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Scheduling.Tests;

public sealed class CalendarDecisionTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2027-03-01T08:00:00Z");
    private static readonly Guid User = Guid.NewGuid();

    private static CalendarConnection Connected(string account = "acct-1") => CalendarConnection.From(
        new CalendarConnected(CalendarConnection.StreamId(User, CalendarProvider.Google), User, CalendarProvider.Google, account, "me@example.com",
            new SealedTokens("k1:access", "k1:refresh", Now.AddHours(1)), Now), null);

    private static Booking Booking(BookingStatus status = BookingStatus.Confirmed) => new()
    {
        Id = Guid.NewGuid(), Status = status, CalendarUid = "chain-1@opencalendly",
        StartsAt = Now.AddDays(1), EndsAt = Now.AddDays(1).AddMinutes(30),
    };

    [Fact]
    public void a_confirmed_booking_without_an_event_is_created_and_with_one_is_updated()
    {
        var connection = Connected();
        Writeback.Plan(Booking(), connection, WritebackOperation.Create).ShouldBeOfType<WritebackStep.Create>();

        connection.When(new BookingWrittenBack(connection.Id, Guid.NewGuid(), "chain-1@opencalendly", WritebackOperation.Create, "evt-1", Now));
        Writeback.Plan(Booking(), connection, WritebackOperation.Update).ShouldBe(new WritebackStep.Update("evt-1"));
        // A create retried after it succeeded only brings the event up to date.
        Writeback.Plan(Booking(), connection, WritebackOperation.Create).ShouldBe(new WritebackStep.Update("evt-1"));
    }

    [Fact]
    public void a_cancel_deletes_the_chains_event_or_does_nothing_when_there_is_none()
    {
        var connection = Connected();
        Writeback.Plan(Booking(BookingStatus.Canceled), connection, WritebackOperation.Cancel).ShouldBeOfType<WritebackStep.Nothing>();
        connection.When(new BookingWrittenBack(connection.Id, Guid.NewGuid(), "chain-1@opencalendly", WritebackOperation.Create, "evt-1", Now));
        Writeback.Plan(Booking(BookingStatus.Canceled), connection, WritebackOperation.Cancel).ShouldBe(new WritebackStep.Delete("evt-1"));
        // A late create for a booking canceled since removes the event too.
        Writeback.Plan(Booking(BookingStatus.Canceled), connection, WritebackOperation.Create).ShouldBe(new WritebackStep.Delete("evt-1"));
        // Reassigned away on reschedule: this calendar loses the event even though the chain goes on.
        Writeback.Plan(Booking(BookingStatus.Rescheduled), connection, WritebackOperation.Cancel).ShouldBe(new WritebackStep.Delete("evt-1"));

        connection.When(new BookingWrittenBack(connection.Id, Guid.NewGuid(), "chain-1@opencalendly", WritebackOperation.Cancel, null, Now));
        Writeback.Plan(Booking(BookingStatus.Canceled), connection, WritebackOperation.Cancel).ShouldBeOfType<WritebackStep.Nothing>();
    }

    [Fact]
    public void a_seated_slot_has_one_event_made_with_its_first_seat_kept_while_any_seat_is_held_and_deleted_with_the_last()
    {
        var connection = Connected();
        var slotId = Guid.NewGuid();
        Booking Seat(int number, BookingStatus status = BookingStatus.Confirmed)
        {
            var seat = Booking(status);
            (seat.CalendarUid, seat.Seat) = ($"{seat.Id}@opencalendly", new BookingSeat(slotId, number, 3, number));
            return seat;
        }
        var (first, second) = (Seat(1), Seat(2));
        Writeback.EventKey(first).ShouldBe(Writeback.EventKey(second));
        Writeback.Plan(first, connection, WritebackOperation.Create, [first]).ShouldBeOfType<WritebackStep.Create>();

        connection.When(new BookingWrittenBack(connection.Id, first.Id, Writeback.EventKey(first), WritebackOperation.Create, "evt-slot", Now));
        Writeback.Plan(second, connection, WritebackOperation.Create, [first, second]).ShouldBe(new WritebackStep.Update("evt-slot"));
        // A seat canceled or moved away while another is held: the event stays, without it.
        Writeback.Plan(Seat(1, BookingStatus.Canceled), connection, WritebackOperation.Cancel, [second]).ShouldBe(new WritebackStep.Update("evt-slot"));
        Writeback.Plan(Seat(1, BookingStatus.Rescheduled), connection, WritebackOperation.Cancel, [second]).ShouldBe(new WritebackStep.Update("evt-slot"));
        // The last seat goes, however the writeback was queued: so does the event.
        Writeback.Plan(Seat(2, BookingStatus.Canceled), connection, WritebackOperation.Cancel, []).ShouldBe(new WritebackStep.Delete("evt-slot"));
        Writeback.Plan(second, connection, WritebackOperation.Create, []).ShouldBe(new WritebackStep.Delete("evt-slot"));
    }

    [Fact]
    public void a_rescheduled_booking_leaves_the_event_to_its_successor_and_a_disconnected_calendar_gets_nothing()
    {
        var connection = Connected();
        Writeback.Plan(Booking(BookingStatus.Rescheduled), connection, WritebackOperation.Create).ShouldBeOfType<WritebackStep.Nothing>();
        connection.When(new CalendarDisconnected(connection.Id, Now));
        Writeback.Plan(Booking(), connection, WritebackOperation.Create).ShouldBeOfType<WritebackStep.Nothing>();
    }

    [Fact]
    public void reconnecting_the_same_account_keeps_the_written_events_and_another_account_starts_afresh()
    {
        var connection = Connected();
        connection.When(new BookingWrittenBack(connection.Id, Guid.NewGuid(), "chain-1@opencalendly", WritebackOperation.Create, "evt-1", Now));
        connection.When(new CalendarSyncFailed(connection.Id, "invalid_grant", true, Now, null));
        connection.NeedsReconnect.ShouldBeTrue();

        var again = CalendarConnection.From(new CalendarConnected(connection.Id, User, CalendarProvider.Google, "acct-1", "me@example.com",
            new SealedTokens("k1:a2", "k1:r2", Now.AddHours(2)), Now.AddHours(1)), connection);
        again.ExternalEvents["chain-1@opencalendly"].ShouldBe("evt-1");
        again.NeedsReconnect.ShouldBeFalse();
        again.NextSyncAt.ShouldBe(Now.AddHours(1));

        var other = CalendarConnection.From(new CalendarConnected(connection.Id, User, CalendarProvider.Google, "acct-2", "other@example.com",
            new SealedTokens("k1:a3", "k1:r3", Now.AddHours(2)), Now.AddHours(1)), connection);
        other.ExternalEvents.ShouldBeEmpty();
    }

    [Fact]
    public void the_stream_id_is_stable_per_user_and_provider()
    {
        CalendarConnection.StreamId(User, CalendarProvider.Google).ShouldBe(CalendarConnection.StreamId(User, CalendarProvider.Google));
        CalendarConnection.StreamId(User, CalendarProvider.Google).ShouldNotBe(CalendarConnection.StreamId(User, CalendarProvider.Microsoft));
        CalendarConnection.StreamId(User, CalendarProvider.Google).ShouldNotBe(CalendarConnection.StreamId(Guid.NewGuid(), CalendarProvider.Google));
        CalendarConnection.StreamId(User, CalendarProvider.Google).Version.ShouldBe(8);
    }

    [Fact]
    public void tokens_are_stale_a_minute_before_they_expire()
    {
        var connection = Connected();
        connection.AccessTokenStale(Now).ShouldBeFalse();
        connection.AccessTokenStale(Now.AddMinutes(59).AddSeconds(1)).ShouldBeTrue();
    }

    [Theory]
    [InlineData(null, null, "2027-03-01T08:00:00Z", "2027-03-31T08:00:00Z")]
    [InlineData("2027-04-01T00:00:00Z", null, "2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z")]
    [InlineData("2027-04-01T00:00:00+02:00", "2027-06-30T00:00:00+02:00", "2027-03-31T22:00:00Z", "2027-06-29T22:00:00Z")]
    [InlineData("2027-04-01T00:00:00Z", "2027-07-01T00:00:00Z", null, null)]
    [InlineData("2027-04-01T00:00:00Z", "2027-04-01T00:00:00Z", null, null)]
    public void the_sync_window_defaults_to_thirty_days_and_is_at_most_ninety(string? start, string? end, string? expectedStart, string? expectedEnd)
    {
        var window = SyncWindow.Resolve(start is null ? null : DateTimeOffset.Parse(start), end is null ? null : DateTimeOffset.Parse(end), Now);
        if (expectedStart is null) window.ShouldBeNull();
        else window.ShouldBe((DateTimeOffset.Parse(expectedStart), DateTimeOffset.Parse(expectedEnd!)));
    }

    [Fact]
    public void busy_windows_are_clipped_to_the_window_and_sorted()
    {
        var start = DateTimeOffset.Parse("2027-03-01T00:00:00Z");
        var end = DateTimeOffset.Parse("2027-03-02T00:00:00Z");
        var clipped = SyncWindow.Clip([
            new BusyWindow(DateTimeOffset.Parse("2027-03-01T12:00:00+01:00"), DateTimeOffset.Parse("2027-03-01T13:00:00+01:00")),
            new BusyWindow(DateTimeOffset.Parse("2027-02-28T23:00:00Z"), DateTimeOffset.Parse("2027-03-01T01:00:00Z")),
            new BusyWindow(DateTimeOffset.Parse("2027-03-02T05:00:00Z"), DateTimeOffset.Parse("2027-03-02T06:00:00Z")),
            new BusyWindow(DateTimeOffset.Parse("2027-03-01T09:00:00Z"), DateTimeOffset.Parse("2027-03-01T09:00:00Z")),
        ], start, end);
        clipped.ShouldBe([
            new BusyWindow(start, DateTimeOffset.Parse("2027-03-01T01:00:00Z")),
            new BusyWindow(DateTimeOffset.Parse("2027-03-01T11:00:00Z"), DateTimeOffset.Parse("2027-03-01T12:00:00Z")),
        ]);
    }

    [Fact]
    public void a_scheduled_sync_runs_while_it_is_the_one_the_connection_expects()
    {
        var connection = Connected();   // expects its first sync at the connect
        ScheduledSync.ShouldRun(connection, due: Now).ShouldBeTrue();
        ScheduledSync.ShouldRun(connection, due: Now.AddMilliseconds(400)).ShouldBeTrue();
        // A manual sync meanwhile scheduled its own follow-up: this one stands down, so the schedule never doubles.
        ScheduledSync.ShouldRun(connection, due: Now.AddMinutes(-15)).ShouldBeFalse();
        // A manual sync (nothing due) always runs.
        ScheduledSync.ShouldRun(connection, due: null).ShouldBeTrue();
    }

    [Fact]
    public void a_revoked_grant_stops_the_schedule_until_a_reconnect_and_a_disconnect_stops_every_sync()
    {
        var connection = Connected();
        var interval = TimeSpan.FromMinutes(15);
        ScheduledSync.NextTryAfterFailure(grantRevoked: false, Now, interval).ShouldBe(Now + interval);
        ScheduledSync.NextTryAfterFailure(grantRevoked: true, Now, interval).ShouldBeNull();

        connection.When(new CalendarSyncFailed(connection.Id, "invalid_grant", NeedsReconnect: true, FailedAt: Now, NextSyncAt: null));
        ScheduledSync.ShouldRun(connection, due: Now).ShouldBeFalse();
        ScheduledSync.ShouldRun(connection, due: null).ShouldBeTrue();
        connection.When(new CalendarDisconnected(connection.Id, Now));
        ScheduledSync.ShouldRun(connection, due: null).ShouldBeFalse();
    }

    [Fact]
    public void a_caldav_read_is_skipped_only_when_every_busy_calendars_marker_is_unchanged_inside_the_window_last_read()
    {
        var connection = Connected();
        var (from, to) = (Now, Now.AddDays(30));
        var markers = new Dictionary<string, string?> { ["/alice/work/"] = "ctag-1", ["/alice/home/"] = "ctag-7" };
        // Nothing read yet: read.
        ChangeMarkers.Unchanged(connection, markers, from, to).ShouldBeFalse();

        connection.When(new BusyWindowsSynced(connection.Id, User, from, to + ChangeMarkers.ReadAhead, [], Now, Now.AddMinutes(10),
            new Dictionary<string, string> { ["/alice/work/"] = "ctag-1", ["/alice/home/"] = "ctag-7" }));
        ChangeMarkers.Unchanged(connection, markers, from, to).ShouldBeTrue();
        // Ten minutes on, the window has moved but is still inside the day read ahead.
        ChangeMarkers.Unchanged(connection, markers, from.AddMinutes(10), to.AddMinutes(10)).ShouldBeTrue();
        // A window past what was read, a changed calendar, one more or one fewer, or a server without markers: read.
        ChangeMarkers.Unchanged(connection, markers, from.AddDays(2), to.AddDays(2)).ShouldBeFalse();
        ChangeMarkers.Unchanged(connection, new Dictionary<string, string?> { ["/alice/work/"] = "ctag-2", ["/alice/home/"] = "ctag-7" }, from, to).ShouldBeFalse();
        ChangeMarkers.Unchanged(connection, new Dictionary<string, string?> { ["/alice/work/"] = "ctag-1" }, from, to).ShouldBeFalse();
        ChangeMarkers.Unchanged(connection, new Dictionary<string, string?> { ["/alice/work/"] = null, ["/alice/home/"] = "ctag-7" }, from, to).ShouldBeFalse();

        // Another choice of calendars forgets what was read.
        connection.CalDav = CalDavSettings.Found("https://caldav.example.com/", "/alice/", "/alice/", "alice", []);
        connection.When(new CalDavCalendarsChosen(connection.Id, ["/alice/work/"], null, Now));
        ChangeMarkers.Unchanged(connection, markers, from, to).ShouldBeFalse();
    }

    private static readonly CalDavCalendarInfo Work = new("/alice/work/", "Work", true, null);
    private static readonly CalDavCalendarInfo Home = new("/alice/home/", "Home", true, null);
    private static readonly CalDavCalendarInfo Shared = new("/alice/shared/", "Shared", false, null);

    [Fact]
    public void calendars_found_at_the_server_replace_those_recorded_and_keep_what_of_the_choice_still_applies()
    {
        // Given an account whose work calendar blocks time and receives bookings, and whose home calendar does neither
        var settings = CalDavSettings.Found("https://caldav.example.com/", "/alice/", "/alice/", "alice", [Work, Home]) with
        {
            BusyCalendars = ["/alice/work/"], WriteCalendar = "/alice/work/",
        };

        // When the server lists the same calendars: nothing to record
        settings.Refreshed([Work, Home]).ShouldBeNull();

        // When a calendar was added there: it is listed, and blocks nothing until chosen
        var added = settings.Refreshed([Work, Home, Shared]).ShouldNotBeNull();
        added.Calendars.ShouldBe([Work, Home, Shared]);
        added.BusyCalendars.ShouldBe(["/alice/work/"]);
        added.WriteCalendar.ShouldBe("/alice/work/");

        // When the work calendar was deleted there: it leaves the choice, and bookings go to the first writable one left
        var deleted = settings.Refreshed([Home, Shared]).ShouldNotBeNull();
        deleted.Calendars.ShouldBe([Home, Shared]);
        deleted.BusyCalendars.ShouldBeEmpty();
        deleted.WriteCalendar.ShouldBe("/alice/home/");

        // When it was renamed: the new name is recorded, the choice stays
        var renamed = settings.Refreshed([Work with { Name = "Office" }, Home]).ShouldNotBeNull();
        renamed.BusyCalendars.ShouldBe(["/alice/work/"]);
        renamed.Calendars[0].Name.ShouldBe("Office");

        // Then the connection records what was found
        var connection = new CalendarConnection { Id = Guid.NewGuid(), Provider = CalendarProvider.CalDav, CalDav = settings };
        connection.When(new CalDavCalendarsFound(connection.Id, deleted.Calendars, deleted.BusyCalendars, deleted.WriteCalendar, Now));
        connection.CalDav!.Calendars.ShouldBe([Home, Shared]);
        connection.CalDav.WriteCalendar.ShouldBe("/alice/home/");
        connection.ReceivesBookings.ShouldBeTrue();
    }
}
