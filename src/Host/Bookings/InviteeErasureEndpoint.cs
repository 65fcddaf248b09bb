using System.Security.Claims;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.AspNetCore.Mvc;
using NodaTime;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Calendars;
using OpenCalendly.Host.Email;
using OpenCalendly.Host.Identity;
using OpenCalendly.Host.Webhooks;
using OpenCalendly.Integrations.Email;
using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.Calendars;
using Wolverine;
using Wolverine.Http;

namespace OpenCalendly.Host.Bookings;

public sealed record EraseInviteeInput(string? Email);

public sealed record InviteeErasureJson(int Bookings, int Canceled, string Status);

public sealed record InviteeErasureAnswer(bool Ok, InviteeErasureJson Erasure);

/// <summary>
/// Erases an invitee's personal data from the caller's bookings (those they organize or are assigned to). Their future
/// bookings are canceled first, with the usual emails, webhooks and calendar changes; the erasure itself
/// (<see cref="EraseInviteeData"/>) follows durably once those emails are out. The bookings stay, as "Erased invitee".
/// </summary>
public static class InviteeErasureEndpoint
{
    public static ProblemDetails Validate(EraseInviteeInput body) => new FieldErrors().Email("email", body.Email?.Trim(), required: true).ToProblem();

    [Scope(ApiScopes.BookingsWrite)]
    [ProducesResponseType<InviteeErasureAnswer>(200)]
    [ProducesResponseType<ProblemDetails>(400, "application/problem+json")]
    [WolverinePost("/v0/privacy/erase-invitee", OperationId = "eraseInvitee")]
    public static async Task<InviteeErasureAnswer> Post(
        EraseInviteeInput body, ClaimsPrincipal caller, IDocumentSession session, IMessageBus bus, BookingEffects effects, BookingAnswers answers,
        TimeProvider clock, CancellationToken ct)
    {
        var userId = caller.UserId();
        var email = body.Email!.Trim().ToLowerInvariant();
        var bookings = await session.Query<Booking>()
            .Where(OrganizerBookings.HeldBy(userId)).Where(b => b.InviteeEmail.ToLower() == email)
            .ToListAsync(ct);
        var now = clock.GetUtcNow();
        var canceled = await Cancellation.AheadAsync(session, bus, effects, answers, bookings, userId, caller.ApiKey()?.Name, now, ct);
        if (bookings.Count > 0) await bus.PublishAsync(new EraseInviteeData([.. bookings.Select(b => b.Id)], [.. canceled], userId, now));
        return new InviteeErasureAnswer(true, new(bookings.Count, canceled.Count, bookings.Count == 0 ? "nothing-to-erase" : "pending"));
    }
}

/// <summary>
/// Erase these bookings' invitee data once the emails of the ones canceled for it are out; for a deleted account
/// (<paramref name="DeletedAccountId"/>), also disconnect its calendars and mask their tokens.
/// </summary>
public sealed record EraseInviteeData(
    Guid[] BookingIds, Guid[] Canceled, Guid RequestedBy, DateTimeOffset RequestedAt, int Waits = 0, Guid? DeletedAccountId = null);

/// <summary>
/// Erases an invitee from the event store (Marten's masking rewrites their events in place: <see cref="InviteeErasure"/>),
/// then from what was derived from those events or sent about them: the booking read models (re-projected from the
/// masked events), email delivery errors, webhook delivery bodies, and stored idempotent answers. Analytics keep their
/// counts: the events stay, only who booked goes.
/// </summary>
public static class EraseInviteeDataHandler
{
    /// <summary>How long the erasure waits for the cancellation emails: past it, it erases anyway (an email still failing is not sent).</summary>
    public static readonly TimeSpan MostWait = TimeSpan.FromHours(1);

    public static readonly TimeSpan WaitStep = TimeSpan.FromSeconds(2);

    public static async Task<OutgoingMessages> Handle(
        EraseInviteeData message, IDocumentSession session, IDocumentStore store, TimeProvider clock, CancellationToken ct)
    {
        var ids = message.BookingIds;
        Guid?[] bookingIds = [.. ids.Cast<Guid?>()];
        var deliveries = await session.Query<EmailDelivery>().Where(d => d.BookingId.IsOneOf(bookingIds)).ToListAsync(ct);
        var emailsOut = message.Canceled.All(id => deliveries.Any(d => d.BookingId == id && d.Kind == BookingEmails.CanceledKind))
            && deliveries.All(d => d.Status != EmailDeliveryStatus.Pending);
        // A deleted account's canceled bookings leave its calendars before they are disconnected.
        var calendarsDone = message.DeletedAccountId is not { } leaving
            || !await session.Query<CalendarWriteback>().AnyAsync(w => w.UserId == leaving && w.Status == WritebackStatus.Pending, ct);
        if (!(emailsOut && calendarsDone) && message.Waits * WaitStep < MostWait)
            return [(message with { Waits = message.Waits + 1 }).DelayedFor(WaitStep)];

        var calendars = message.DeletedAccountId is { } deleted ? await DisconnectCalendarsAsync(store, deleted, clock.GetUtcNow(), ct) : [];

        // Its own transaction, and idempotent: a retry of this message masks again to the same result.
        await store.Advanced.ApplyEventDataMasking(masking =>
        {
            foreach (var id in ids.Concat(calendars)) masking.IncludeStream(id);
        }, ct);

        if (message.DeletedAccountId is { } account)
        {
            // What the calendars' documents and writeback records still say of the account: a CalDAV server, calendar and event URLs.
            foreach (var id in calendars) session.Delete<CalendarConnection>(id);
            session.DeleteWhere<CalendarWriteback>(w => w.UserId == account);
        }

        var holders = new HashSet<Guid>();
        foreach (var id in ids)
        {
            if (await session.Events.AggregateStreamAsync<Booking>(id, token: ct) is not { } masked) continue;
            session.Store(masked);
            holders.UnionWith([masked.OrganizerId, .. masked.ReservedUserIds]);
        }
        foreach (var delivery in deliveries.Where(d => d.LastError is not null))
        {
            delivery.LastError = "(erased with the invitee's data)";
            session.Store(delivery);
        }
        await EraseWebhookBodiesAsync(session, ids, [.. holders], ct);
        Idempotency.ForgetAnswersOf(session, ids);
        // Wolverine's transactional middleware commits all of it together.
        return [];
    }

    /// <summary>
    /// A deleted account's calendar connections, disconnected (under each one's lock, like a disconnect by hand) in a
    /// transaction of their own, ahead of the masking that rewrites their token events; their stream ids.
    /// </summary>
    private static async Task<Guid[]> DisconnectCalendarsAsync(IDocumentStore store, Guid userId, DateTimeOffset now, CancellationToken ct)
    {
        Guid[] ids = [.. CalendarProviders.All.Select(p => CalendarConnection.StreamId(userId, p))];
        await using var session = store.LightweightSession();
        foreach (var id in ids)
        {
            var stream = await CalendarConnectionLock.FetchLockedAsync(session, id, ct);
            if (stream.Aggregate is { IsConnected: true }) stream.AppendOne(new CalendarDisconnected(id, now));
        }
        await session.SaveChangesAsync(ct);
        return ids;
    }

    /// <summary>Webhook deliveries keep the payload they send (and resend): the invitee's fields in them are erased.</summary>
    /// <param name="holders">Whose subscriptions could have been sent them: the bookings' organizers and assigned members.</param>
    private static async Task EraseWebhookBodiesAsync(IDocumentSession session, Guid[] bookingIds, Guid[] holders, CancellationToken ct)
    {
        foreach (var bookingId in bookingIds)
        {
            var mention = bookingId.ToString();
            var sent = await session.Query<WebhookDelivery>().Where(d => d.OrganizerId.IsOneOf(holders) && d.Body.Contains(mention)).ToListAsync(ct);
            foreach (var delivery in sent)
            {
                if (JsonNode.Parse(delivery.Body) is not { } body) continue;
                Erase(body);
                delivery.Body = body.ToJsonString();
                session.Store(delivery);
            }
        }
    }

    private static void Erase(JsonNode node)
    {
        switch (node)
        {
            case JsonObject fields:
                foreach (var (name, value) in fields.ToList())
                {
                    switch (name)
                    {
                        case "inviteeEmail": fields[name] = ""; break;
                        case "inviteeName": fields[name] = InviteeErasure.ErasedName; break;
                        case "inviteeTimezone": fields[name] = InviteeErasure.ErasedTimezone; break;
                        case "answers": fields[name] = new JsonObject(); break;
                        case "reason" or "cancelReason": fields[name] = null; break;
                        default: if (value is not null) Erase(value); break;
                    }
                }
                break;
            case JsonArray items:
                foreach (var item in items) if (item is not null) Erase(item);
                break;
        }
    }
}
