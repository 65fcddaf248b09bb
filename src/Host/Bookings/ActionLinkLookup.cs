using Marten;
using OpenCalendly.Host.Api;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling;
using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Host.Bookings;

/// <summary>Finds the booking an action token belongs to, by the token's hash.</summary>
public static class ActionLinkLookup
{
    public static async Task<(Booking Booking, ActionType Type)?> FindAsync(IQuerySession db, string token, CancellationToken ct)
    {
        if (token.Length is < 20 or > 100) return null;
        var hash = Tokens.Hash(token);
        var found = await db.Query<Booking>()
            .Where(b => b.CancelTokenHash == hash || b.RescheduleTokenHash == hash || b.ManageTokenHash == hash).ToListAsync(ct);
        // A manage link is shared along the reschedule chain made through it: it answers for the chain's last booking.
        var booking = found.FirstOrDefault(b => b.Status != BookingStatus.Rescheduled) ?? found.FirstOrDefault();
        return booking is null ? null
            : (booking, booking.CancelTokenHash == hash ? ActionType.Cancel : booking.RescheduleTokenHash == hash ? ActionType.Reschedule : ActionType.Manage);
    }

    public static Microsoft.AspNetCore.Mvc.ProblemDetails NotFound() => Problems.NotFound("This action link is not valid.");

    /// <summary>410 for an expired or spent link; a rescheduled booking points to where it went.</summary>
    public static Microsoft.AspNetCore.Mvc.ProblemDetails Gone(Refusal refusal, Booking booking)
    {
        var problem = Problems.From(refusal);
        if (booking.RescheduledToBookingId is { } next)
            problem.Extensions["rescheduledTo"] = new { id = next, startsAt = Instants.Format(booking.RescheduledToStartsAt!.Value), endsAt = Instants.Format(booking.RescheduledToEndsAt!.Value) };
        return Problems.Shape(problem);
    }
}
