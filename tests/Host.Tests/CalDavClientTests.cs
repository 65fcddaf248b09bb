using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OpenCalendly.Integrations.Calendars;
using OpenCalendly.Scheduling.Calendars;

namespace OpenCalendly.Host.Tests;

/// <summary>The CalDAV client against a real server (Radicale): discovery, the calendars found, and busy time read as a calendar app wrote it.</summary>
[Collection(RadicaleCollection.Name)]
public sealed class CalDavClientTests(Radicale radicale)
{
    private static readonly CalDavClient Client = new(new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(15) });

    private CalDavAccount Account(string password = Radicale.Password) => new(radicale.BaseUrl, Radicale.User, password);

    [Fact]
    public async Task discovery_follows_the_well_known_path_to_the_principal_and_its_calendar_home_and_lists_the_calendars()
    {
        var work = await radicale.MakeCalendarAsync("Work");
        var tasks = await radicale.MakeCalendarAsync("Tasks", "VTODO");

        var found = await Client.DiscoverAsync(Account(), CancellationToken.None);
        found.Principal.AbsolutePath.ShouldBe($"/{Radicale.User}/");
        found.CalendarHome.AbsolutePath.ShouldBe($"/{Radicale.User}/");
        var calendars = found.Calendars.ToDictionary(c => c.Url.AbsolutePath);
        calendars[work.AbsolutePath].DisplayName.ShouldBe("Work");
        calendars[work.AbsolutePath].SupportsEvents.ShouldBeTrue();
        calendars[work.AbsolutePath].Writable.ShouldBeTrue();
        calendars[work.AbsolutePath].CTag.ShouldNotBeNullOrEmpty();
        calendars[tasks.AbsolutePath].SupportsEvents.ShouldBeFalse();

        // Adding an event changes the calendar's ctag: a sync can skip a calendar whose ctag it has seen.
        var before = calendars[work.AbsolutePath].CTag;
        await radicale.PutEventAsync(work, "ctag-probe", "BEGIN:VEVENT\nUID:ctag-probe\nDTSTAMP:20300101T000000Z\nDTSTART:20300301T100000Z\nDTEND:20300301T110000Z\nEND:VEVENT");
        (await Client.CalendarsAsync(Account(), found.CalendarHome, CancellationToken.None)).Single(c => c.Url == work).CTag.ShouldNotBe(before);
    }

    [Fact]
    public async Task a_wrong_password_and_an_unreachable_server_fail_with_a_reason()
    {
        var refused = await Should.ThrowAsync<CalendarProviderException>(() => Client.DiscoverAsync(Account("wrong"), CancellationToken.None));
        (refused.Failure, refused.Status).ShouldBe((ProviderFailure.Unauthorized, 401));
        refused.Message.ShouldContain("401");
        refused.Message.ShouldNotContain("wrong");

        var nobody = new CalDavAccount(new Uri($"http://127.0.0.1:{LocalServer.FreePort()}/"), Radicale.User, Radicale.Password);
        (await Should.ThrowAsync<CalendarProviderException>(() => Client.DiscoverAsync(nobody, CancellationToken.None))).Failure.ShouldBe(ProviderFailure.Upstream);

        var (broken, url) = await LocalServer.StartAsync(app => app.MapMethods("/{**path}", ["PROPFIND", "REPORT"], () => Results.StatusCode(500)));
        await using (broken)
        {
            var failed = await Should.ThrowAsync<CalendarProviderException>(() =>
                Client.DiscoverAsync(new CalDavAccount(new Uri(url + "/"), Radicale.User, Radicale.Password), CancellationToken.None));
            (failed.Failure, failed.Status).ShouldBe((ProviderFailure.Upstream, 500));
        }
    }

    [Fact]
    public async Task busy_time_expands_a_weekly_event_across_daylight_saving_and_skips_transparent_and_cancelled_ones()
    {
        var calendar = await radicale.MakeCalendarAsync("Busy");
        // Mondays 09:00–10:00 in Berlin: 08:00Z in winter time, 07:00Z once summer time starts (31 March 2030).
        await radicale.PutEventAsync(calendar, "weekly", Radicale.BerlinZone + """

            BEGIN:VEVENT
            UID:weekly
            DTSTAMP:20300101T000000Z
            DTSTART;TZID=Europe/Berlin:20300318T090000
            DTEND;TZID=Europe/Berlin:20300318T100000
            RRULE:FREQ=WEEKLY;BYDAY=MO
            SUMMARY:Team meeting
            END:VEVENT
            """);
        await radicale.PutEventAsync(calendar, "free", "BEGIN:VEVENT\nUID:free\nDTSTAMP:20300101T000000Z\nDTSTART:20300326T120000Z\nDTEND:20300326T130000Z\nTRANSP:TRANSPARENT\nSUMMARY:Maybe lunch\nEND:VEVENT");
        await radicale.PutEventAsync(calendar, "off", "BEGIN:VEVENT\nUID:off\nDTSTAMP:20300101T000000Z\nDTSTART:20300328T120000Z\nDTEND:20300328T130000Z\nSTATUS:CANCELLED\nEND:VEVENT");
        await radicale.PutEventAsync(calendar, "day", "BEGIN:VEVENT\nUID:day\nDTSTAMP:20300101T000000Z\nDTSTART;VALUE=DATE:20300327\nDTEND;VALUE=DATE:20300328\nSUMMARY:Conference\nEND:VEVENT");

        var berlin = NodaTime.DateTimeZoneProviders.Tzdb["Europe/Berlin"];
        var busy = await Client.BusyAsync(Account(), calendar, new DateTimeOffset(2030, 3, 24, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 4, 7, 0, 0, 0, TimeSpan.Zero),
            berlin, CancellationToken.None);

        busy.ShouldBe(
        [
            new BusyWindow(new DateTimeOffset(2030, 3, 25, 8, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 3, 25, 9, 0, 0, TimeSpan.Zero)),
            // The all-day date is Berlin's 27 March: 23:00Z the day before to 23:00Z.
            new BusyWindow(new DateTimeOffset(2030, 3, 26, 23, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 3, 27, 23, 0, 0, TimeSpan.Zero)),
            new BusyWindow(new DateTimeOffset(2030, 4, 1, 7, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 4, 1, 8, 0, 0, TimeSpan.Zero)),
        ]);
    }

    [Fact]
    public async Task a_bookings_event_is_created_once_moved_only_over_its_own_version_and_deleted()
    {
        var calendar = await radicale.MakeCalendarAsync("Bookings");
        var (from, to) = (new DateTimeOffset(2030, 5, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 5, 10, 0, 0, 0, TimeSpan.Zero));
        var uid = $"{Guid.NewGuid()}@opencalendly";
        var spec = new CalendarEventSpec(uid, "Intro with Pat Lee", "Booked through OpenCalendly.", new DateTimeOffset(2030, 5, 6, 10, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(2030, 5, 6, 10, 30, 0, TimeSpan.Zero), "https://meet.example.com/x", [new CalendarAttendee("Pat Lee", "pat@example.com")]);

        var (url, etag) = await Client.CreateEventAsync(Account(), calendar, uid, spec, 0, CancellationToken.None);
        etag.ShouldNotBeNullOrEmpty();
        (await Client.BusyAsync(Account(), calendar, from, to, NodaTime.DateTimeZone.Utc, CancellationToken.None)).ShouldBe([new BusyWindow(spec.StartsAt, spec.EndsAt)]);
        // A retry of the create (its answer lost) finds its own event, not a second one.
        (await Client.CreateEventAsync(Account(), calendar, uid, spec, 0, CancellationToken.None)).ShouldBe((url, etag));

        var moved = spec with { StartsAt = spec.StartsAt.AddDays(1), EndsAt = spec.EndsAt.AddDays(1) };
        var newEtag = await Client.UpdateEventAsync(Account(), url, etag, uid, moved, 1, CancellationToken.None);
        newEtag.ShouldNotBe(etag);
        (await Client.BusyAsync(Account(), calendar, from, to, NodaTime.DateTimeZone.Utc, CancellationToken.None)).ShouldBe([new BusyWindow(moved.StartsAt, moved.EndsAt)]);
        // Over a version someone else has since replaced: refused, not overwritten.
        var stale = await Should.ThrowAsync<CalendarProviderException>(() => Client.UpdateEventAsync(Account(), url, etag, uid, spec, 2, CancellationToken.None));
        stale.Status.ShouldBe(412, stale.Message);

        await Client.DeleteEventAsync(Account(), url, CancellationToken.None);
        (await Client.BusyAsync(Account(), calendar, from, to, NodaTime.DateTimeZone.Utc, CancellationToken.None)).ShouldBeEmpty();
        await Client.DeleteEventAsync(Account(), url, CancellationToken.None);   // already gone: done
    }
}
