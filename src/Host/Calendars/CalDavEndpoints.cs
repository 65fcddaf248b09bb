using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Integrations.Calendars;
using OpenCalendly.Integrations.Webhooks;
using OpenCalendly.Scheduling.Calendars;
using Wolverine;
using Wolverine.Http;
using Wolverine.Marten.Publishing;

namespace OpenCalendly.Host.Calendars;

public sealed record CalDavConnectInput(string? ServerUrl, string? Username, string? Password);

public sealed record CalDavChoiceInput(IReadOnlyList<string>? BusyCalendars, string? WriteCalendar);

public static class ConnectCalDavEndpoint
{
    public static ProblemDetails Validate(CalDavConnectInput body) => new FieldErrors()
        .Text("serverUrl", body.ServerUrl, 1, 2000, required: true)
        .When(body.ServerUrl is { Length: > 0 and <= 2000 } url && !Uri.TryCreate(url, UriKind.Absolute, out _), "serverUrl", "serverUrl must be an absolute https URL.")
        .Text("username", body.Username, 1, 320, required: true)
        .Text("password", body.Password, 1, 1000, required: true)
        .ToProblem();

    /// <summary>
    /// Signs in to the CalDAV server, discovers the account's calendars (RFC 6764, then the principal and its calendar
    /// home) and appends <see cref="CalendarConnected"/> with the password sealed. The first sync is queued in the same
    /// transaction and runs at once.
    /// </summary>
    [Authorize]
    [ProducesResponseType<CalendarConnectionAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(502, "application/problem+json")]
    [WolverinePost("/v0/calendar/caldav/connect", OperationId = "connectCalDav")]
    public static async Task<IResult> Post(
        CalDavConnectInput body, ClaimsPrincipal caller, CalDavOptions options, ConnectedCalendars calendars, CalendarAccess access,
        OutboxedSessionFactory sessions, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var serverUrl = new Uri(body.ServerUrl!);
        if (await WebhookTargets.RefusalAsync(serverUrl, options.AllowPrivateServers, ct, "serverUrl", "calendar connections") is { } refusal)
            return Problems.Result(Problems.Invalid("serverUrl", refusal));

        CalDavDiscovery found;
        try
        {
            found = await calendars.CalDav().DiscoverAsync(new CalDavAccount(serverUrl, body.Username!, body.Password!), ct);
        }
        catch (CalendarProviderException e) when (e.Failure == ProviderFailure.Unauthorized)
        {
            return Problems.Result(Problems.Create(400, "caldav-refused",
                $"{e.Message} Check the username and password: iCloud and Fastmail need an app-specific password, not the account's own."));
        }
        catch (CalendarProviderException e)
        {
            return Problems.Result(Problems.ProviderFailed(e.Message));
        }
        List<CalDavCalendarInfo> usable = [.. found.Calendars.Where(c => c.SupportsEvents).Select(c => c.Info)];
        if (usable.Count == 0) return Problems.Result(Problems.Create(400, "caldav-no-calendars", "The account has no calendar that holds events."));

        var userId = caller.UserId();
        var now = clock.GetUtcNow();
        var id = CalendarConnection.StreamId(userId, CalendarProvider.CalDav);
        var connection = await ConnectRules.ConnectAsync(sessions, bus, id, before => new CalendarConnected(
            id, userId, CalendarProvider.CalDav, found.Principal.AbsoluteUri, body.Username,
            access.Seal(new ProviderTokens(body.Password!, null, DateTimeOffset.MaxValue)), now,
            CalDavSettings.Found(serverUrl.AbsoluteUri, found.Principal.AbsoluteUri, found.CalendarHome.AbsoluteUri, body.Username!, usable, before?.CalDav)), now, ct);
        return Results.Json(new CalendarConnectionAnswer(true, CalendarStatusJson.Of(CalendarProvider.CalDav, connection, configured: true)));
    }
}

public static class ChooseCalDavCalendarsEndpoint
{
    public static ProblemDetails Validate(CalDavChoiceInput body) => new FieldErrors()
        .When(body.BusyCalendars is null && body.WriteCalendar is null, "busyCalendars", "Give busyCalendars, writeCalendar or both.")
        .When(body.BusyCalendars is { Count: > 100 }, "busyCalendars", "busyCalendars holds at most 100 calendars.")
        .When(body.BusyCalendars?.Any(c => c is not { Length: > 0 and <= 2000 }) == true, "busyCalendars", "Each of busyCalendars must be a calendar's URL.")
        .Text("writeCalendar", body.WriteCalendar, 1, 2000)
        .ToProblem();

    /// <summary>
    /// Chooses which calendars block time and which receives new bookings (events written before stay where they are and
    /// are still moved and deleted there). A sync runs at once with the new choice.
    /// </summary>
    [Authorize]
    [ProducesResponseType<CalendarConnectionAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [WolverinePatch("/v0/calendar/caldav", OperationId = "chooseCalDavCalendars")]
    public static async Task<IResult> Patch(
        CalDavChoiceInput body, ClaimsPrincipal caller, IDocumentSession session, IMessageBus bus, TimeProvider clock, CancellationToken ct)
    {
        var id = CalendarConnection.StreamId(caller.UserId(), CalendarProvider.CalDav);
        var stream = await CalendarConnectionLock.FetchLockedAsync(session, id, ct);
        if (stream.Aggregate is not { IsConnected: true, CalDav: { } settings } connection)
            return Problems.Result(Problems.NotFound("No connected CalDAV calendar."));

        var known = settings.Calendars.ToDictionary(c => c.Url);
        var busy = body.BusyCalendars?.Distinct().ToList() ?? [.. settings.BusyCalendars];
        var write = body.WriteCalendar ?? settings.WriteCalendar;
        var unknown = busy.FirstOrDefault(url => !known.ContainsKey(url));
        var errors = new FieldErrors()
            .When(unknown is not null, "busyCalendars", $"Not a calendar of this account: {unknown}")
            .When(write is not null && !known.ContainsKey(write), "writeCalendar", $"Not a calendar of this account: {write}")
            .When(write is not null && known.TryGetValue(write, out var target) && !target.Writable, "writeCalendar", "This calendar does not accept new events.");
        if (errors.Any) return Problems.Result(errors.ToProblem());

        var now = clock.GetUtcNow();
        var chosen = new CalDavCalendarsChosen(id, busy, write, now);
        stream.AppendOne(chosen);
        await bus.PublishAsync(new SyncCalendar(id, now));
        connection.When(chosen);
        return Results.Json(new CalendarConnectionAnswer(true, CalendarStatusJson.Of(CalendarProvider.CalDav, connection, configured: true)));
    }
}
