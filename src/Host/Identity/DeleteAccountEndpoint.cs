using System.Security.Claims;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Availability;
using OpenCalendly.Host.Bookings;
using OpenCalendly.Host.Teams;
using OpenCalendly.Host.Webhooks;
using OpenCalendly.Projections;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;
using Wolverine;
using Wolverine.Http;

namespace OpenCalendly.Host.Identity;

/// <summary>A deleted organizer's username, kept from new accounts for a while (links to it may still be about).</summary>
public sealed class RetiredUsername
{
    public const int Days = 30;

    public string Id { get; set; } = "";
    public DateTimeOffset RetiredUntil { get; set; }
}

public sealed record AccountDeletedAnswer(bool Ok, int BookingsCanceled, DateTimeOffset UsernameFreeAt);

/// <summary>
/// Deletes the signed-in organizer (a session only: an API key cannot). At once: their bookings still ahead are
/// canceled with the usual emails, webhooks and calendar changes; their event types and owned teams' event types stop
/// taking bookings; owned teams go, other teams lose them; webhooks, schedule, sign-in links, sessions and API keys are
/// deleted; the account itself is, and its username is kept from new accounts for <see cref="RetiredUsername.Days"/> days.
/// Then, durably, once the cancellation emails are out (<see cref="EraseInviteeData"/>): the invitees' data in all their
/// bookings is erased and their calendars are disconnected with their tokens masked in the event store.
/// </summary>
public static class DeleteAccountEndpoint
{
    [Authorize]
    [ProducesResponseType<AccountDeletedAnswer>(200)]
    [WolverineDelete("/v0/me", OperationId = "deleteMyAccount")]
    public static async Task<IResult> Delete(
        ClaimsPrincipal caller, IDocumentSession session, IMessageBus bus, BookingEffects effects, BookingAnswers answers, PublicPageCache pages,
        TimeProvider clock, CancellationToken ct)
    {
        var userId = caller.UserId();
        if (await session.LoadAsync<User>(userId, ct) is not { } user) return Problems.Result(Problems.NotFound("Account not found."));
        var now = clock.GetUtcNow();

        var bookings = await session.Query<Booking>().Where(OrganizerBookings.HeldBy(userId)).ToListAsync(ct);
        var canceled = await Cancellation.AheadAsync(session, bus, effects, answers, bookings, userId, null, now, ct);

        var owned = await session.Query<Team>().Where(t => t.OwnerId == userId).ToListAsync(ct);
        Guid?[] ownedIds = [.. owned.Select(t => (Guid?)t.Id)];
        var scope = EventType.PersonalScope(userId);
        var eventTypes = await session.Query<EventType>().Where(e => e.IsActive && (e.Scope == scope || e.TeamId.In(ownedIds))).ToListAsync(ct);
        foreach (var eventType in eventTypes) session.Events.Append(eventType.Id, new EventTypeDeactivated(eventType.Id, eventType.OrganizerId, now));
        foreach (var team in owned) session.Delete(team);
        foreach (var team in await session.Query<Team>().Where(t => t.OwnerId != userId && t.Members.Any(m => m.UserId == userId)).ToListAsync(ct))
        {
            await session.LockAsync(LockKind.Team, team.Id, ct);
            team.Members.RemoveAll(m => m.UserId == userId);
            session.Store(team);
        }

        session.DeleteWhere<WebhookSubscription>(s => s.OrganizerId == userId);
        session.DeleteWhere<Session>(s => s.UserId == userId);
        session.DeleteWhere<ApiKey>(k => k.UserId == userId);
        var email = user.Email;
        session.DeleteWhere<MagicLink>(l => l.UserId == userId || l.Email == email);
        session.Delete<Schedule>(userId);
        session.Delete(user);
        var retired = new RetiredUsername { Id = user.Username, RetiredUntil = now.AddDays(RetiredUsername.Days) };
        session.Store(retired);

        await bus.PublishAsync(new EraseInviteeData([.. bookings.Select(b => b.Id)], [.. canceled], userId, now, DeletedAccountId: userId));
        pages.Forget(userId);
        return Results.Json(new AccountDeletedAnswer(true, canceled.Count, retired.RetiredUntil));
    }
}
