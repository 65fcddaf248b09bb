using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using JasperFx.Events;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Availability;
using OpenCalendly.Host.Bookings;
using OpenCalendly.Host.Calendars;
using OpenCalendly.Host.EventTypes;
using OpenCalendly.Host.Teams;
using OpenCalendly.Host.Webhooks;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.Calendars;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine.Http;

namespace OpenCalendly.Host.Identity;

public sealed record ExportedProfileJson(Guid Id, string Email, string Username, string DisplayName, string Timezone, DateTimeOffset CreatedAt);

public sealed record ExportedScheduleJson(IReadOnlyList<ScheduleRule> Rules, IReadOnlyList<ScheduleOverride> Overrides, IReadOnlyList<TimeOffJson> TimeOff);

public sealed record ExportedTeamJson(Guid Id, string Name, string Slug, bool Owner, string Role, string Status, DateTimeOffset AddedAt);

/// <summary>One event of one of the organizer's streams, as stored (its data as the event store keeps it).</summary>
public sealed record ExportedEventJson(Guid StreamId, long Version, long Sequence, string Type, DateTimeOffset At, JsonNode? Data);

public sealed record ExportAnswer(
    bool Ok, DateTimeOffset ExportedAt, ExportedProfileJson Profile, IReadOnlyList<EventTypeJson> EventTypes, ExportedScheduleJson Schedule,
    IReadOnlyList<OrganizerBookingJson> Bookings, IReadOnlyList<ExportedTeamJson> Teams, IReadOnlyList<WebhookJson> Webhooks,
    IReadOnlyList<CalendarStatusJson> CalendarConnections, IReadOnlyList<ApiKeyJson> ApiKeys, IReadOnlyList<ExportedEventJson> Events);

/// <summary>
/// Everything the server holds about the signed-in organizer, as one JSON document: profile, event types, schedule and
/// time off, the bookings they organize or are assigned to (with invitees and answers), teams, webhooks (without
/// secrets), calendar connections (without tokens), API keys (without tokens) and the event history of their streams
/// (event types, bookings, calendar connections). A signed-in session only: an API key cannot take the whole account.
/// </summary>
public static class ExportEndpoint
{
    [Authorize]
    [ProducesResponseType<ExportAnswer>(200)]
    [WolverineGet("/v0/me/export", OperationId = "exportMyData")]
    public static async Task<IResult> Get(ClaimsPrincipal caller, IQuerySession db, CalendarProviders providers, TimeProvider clock,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken ct)
    {
        var userId = caller.UserId();
        if (await db.LoadAsync<User>(userId, ct) is not { } user) return Problems.Result(Problems.NotFound("Account not found."));

        var batch = db.CreateBatchQuery();
        var scope = EventType.PersonalScope(userId);
        var eventTypesRead = batch.Query<EventType>().Where(e => e.Scope == scope).OrderBy(e => e.CreatedAt).ToList();
        var scheduleRead = batch.Load<Schedule>(userId);
        var bookingsRead = batch.Query<Booking>().Where(OrganizerBookings.HeldBy(userId)).OrderBy(b => b.StartsAt).ToList();
        var teamsRead = batch.Query<Team>().Where(t => t.OwnerId == userId || t.Members.Any(m => m.UserId == userId)).OrderBy(t => t.CreatedAt).ToList();
        var webhooksRead = batch.Query<WebhookSubscription>().Where(s => s.OrganizerId == userId).OrderBy(s => s.CreatedAt).ToList();
        var calendarsRead = batch.LoadMany<CalendarConnection>().ById([.. CalendarProviders.All.Select(p => CalendarConnection.StreamId(userId, p))]);
        var keysRead = batch.Query<ApiKey>().Where(k => k.UserId == userId).OrderBy(k => k.CreatedAt).ToList();
        await batch.Execute(ct);

        var schedule = await scheduleRead ?? new Schedule { Id = userId };
        var eventTypes = await eventTypesRead;
        var bookings = await bookingsRead;
        var calendars = (await calendarsRead).ToDictionary(c => c.Provider);
        Guid[] streams = [.. eventTypes.Select(e => e.Id), .. bookings.Select(b => b.Id), .. calendars.Values.Select(c => c.Id)];
        var events = streams.Length == 0 ? [] : await db.Events.QueryAllRawEvents()
            .Where(e => e.StreamId.IsOneOf(streams)).OrderBy(e => e.Sequence).ToListAsync(ct);

        return Results.Json(new ExportAnswer(true, clock.GetUtcNow(),
            new ExportedProfileJson(user.Id, user.Email, user.Username, user.DisplayName, user.Timezone, user.CreatedAt),
            [.. eventTypes.Select(EventTypeJson.Of)],
            new ExportedScheduleJson(schedule.Rules, schedule.Overrides, TimeOffJson.List(schedule, SlotInputs.ZoneOf(user))),
            await OrganizerBookings.JsonAsync(db, bookings, ct),
            [.. (await teamsRead).Select(t => Membership(t, userId))],
            [.. (await webhooksRead).Select(WebhookJson.Of)],
            CalendarStatusJson.All(calendars, providers),
            [.. (await keysRead).Select(ApiKeyJson.Of)],
            [.. events.Select(e => new ExportedEventJson(e.StreamId, e.Version, e.Sequence, e.EventTypeName, e.Timestamp, WithoutSecrets(e.Data, json.Value.SerializerOptions)))]));
    }

    /// <summary>
    /// An event's data without secrets, even sealed or hashed ones: calendar tokens and action-link hashes stay behind
    /// (the export is for reading, not for taking a connection or a link elsewhere).
    /// </summary>
    private static JsonNode? WithoutSecrets(object data, JsonSerializerOptions options)
    {
        var node = JsonSerializer.SerializeToNode(data, data.GetType(), options);
        if (node is JsonObject fields)
            foreach (var name in fields.Select(f => f.Key).Where(k => k == "tokens" || k.EndsWith("TokenHash", StringComparison.Ordinal)).ToList())
                fields.Remove(name);
        return node;
    }

    private static ExportedTeamJson Membership(Team team, Guid userId) =>
        team.Members.FirstOrDefault(m => m.UserId == userId) is { } member
            ? new(team.Id, team.Name, team.Slug, team.OwnerId == userId, member.Role, member.Status, member.AddedAt)
            : new(team.Id, team.Name, team.Slug, true, "owner", MembershipStatus.Active, team.CreatedAt);
}
