using Microsoft.AspNetCore.RateLimiting;
using Marten;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Availability;
using OpenCalendly.Host.Bookings;
using OpenCalendly.Host.Identity;
using Npgsql;
using OpenCalendly.Projections.Bookings;
using OpenCalendly.Scheduling.Teams;
using Wolverine.Http;

namespace OpenCalendly.Host.Teams;

public static class PublicTeamEventTypeEndpoint
{
    [ProducesResponseType<PublicTeamEventTypeAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [EnableRateLimiting(RateLimits.PublicPage)]
    [WolverineGet("/v0/teams/{teamSlug}/event-types/{eventSlug}", OperationId = "publicTeamEventType")]
    public static async Task<IResult> Get(string teamSlug, string eventSlug, IQuerySession db, CancellationToken ct)
    {
        if (await TeamSlotInputs.FindAsync(db, teamSlug, eventSlug, ct) is not (var team, var eventType))
            return Problems.Result(Problems.NotFound("Event type not found."));
        var members = await db.LoadManyAsync<User>(ct, TeamSlotInputs.Pool(team, eventType));
        // Public: names and zones only, never emails. Flat fields for this server's page, nested ones for the reference's.
        return Results.Json(new PublicTeamEventTypeAnswer(true, eventType.Mode,
            new(eventType.Id, eventType.Name, eventType.Slug, eventType.DurationMinutes, eventType.LocationType, eventType.LocationValue,
                eventType.Questions, eventType.Mode),
            new(team.Id, team.Name, team.Slug),
            [.. members.Select(m => new PublicTeamMemberJson(m.Id, team.Members.First(x => x.UserId == m.Id).Role, m.Username, m.DisplayName,
                m.Timezone, new(m.Id, m.Username, m.DisplayName, m.Timezone)))]));
    }
}

public static class PublicTeamAvailabilityEndpoint
{
    public static ProblemDetails Validate(string? timezone, string? start, string? days) =>
        PublicAvailabilityEndpoint.Validate(timezone, start, days);

    [ProducesResponseType<TeamSlotsAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(404, "application/problem+json")]
    [EnableRateLimiting(RateLimits.Availability)]
    [WolverineGet("/v0/teams/{teamSlug}/event-types/{eventSlug}/availability", OperationId = "publicTeamAvailability")]
    public static async Task<IResult> Get(
        string teamSlug, string eventSlug, string? timezone, string? start, string? days,
        IQuerySession db, NpgsqlDataSource data, TakenTimeCache takenTime, TimeProvider clock, CancellationToken ct)
    {
        if (await TeamSlotInputs.FindAsync(db, teamSlug, eventSlug, ct) is not (var team, var eventType))
            return Problems.Result(Problems.NotFound("Event type not found."));

        var now = Instant.FromDateTimeOffset(clock.GetUtcNow());
        var (from, to) = PublicAvailabilityEndpoint.Range(start, days, now);
        var slots = await TeamSlotInputs.ComputeAsync(db, takenTime, team, eventType, from, to, now, ct);
        IReadOnlyList<OfferedTeamSeats> offered;
        if (eventType.Seats.IsSeated)
        {
            // Slots that have started filling are read afresh: their seats change without the members' time changing.
            await using var connection = await data.OpenConnectionAsync(ct);
            offered = BookTeamSeat.Offer(eventType, await TeamSlotInputs.OwnerZoneAsync(db, eventType, ct), TeamSlotInputs.Pool(team, eventType), slots,
                await SeatReads.FillingAsync(connection, eventType.Id, from, to, ct), from, to, now);
        }
        else offered = [.. slots.Select(s => new OfferedTeamSeats(s, 0))];
        return Results.Json(new TeamSlotsAnswer(true, eventType.Mode, timezone ?? "UTC", [.. offered.Select(o => new TeamSlotJson(
            o.Slot.Start.ToDateTimeOffset(), o.Slot.End.ToDateTimeOffset(), [.. o.Slot.Members.Select(m => m.MemberId)],
            eventType.Seats.IsSeated ? o.SeatsRemaining : null))]));
    }
}

/// <summary><c>GET /v0/teams/{teamSlug}/event-types/{eventSlug}/availability</c>: each slot with the members who could take it (and its seats left when seated).</summary>
public sealed record TeamSlotsAnswer(bool Ok, OpenCalendly.Scheduling.EventTypes.TeamMode? Mode, string Timezone, IReadOnlyList<TeamSlotJson> Slots);

public sealed record TeamSlotJson(
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, IReadOnlyList<Guid> AssignmentUserIds,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] int? SeatsRemaining);
