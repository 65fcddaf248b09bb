using NodaTime;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Scheduling.Bookings;

/// <summary>What an invitee asks for, already shaped and validated at the edge.</summary>
public sealed record BookingRequest(
    Instant StartsAt,
    string InviteeName,
    string InviteeEmail,
    string InviteeTimezone,
    IReadOnlyDictionary<string, string> Answers);

/// <summary>Hashes of freshly minted action tokens and when they stop working.</summary>
/// <param name="Manage">The booking's manage link: both actions on one page, and it follows the booking through reschedules made with it.</param>
public sealed record ActionTokenHashes(string Cancel, string Reschedule, string? Manage = null);

public static class BookingRefusals
{
    public static Refusal SlotTaken() => new(RefusalKind.Conflict, "slot-taken", "Selected slot is no longer available.");

    public static Refusal EventTypeInactive() => new(RefusalKind.NotFound, "not-found", "Event type not found.");

    public static Refusal AnswerMissing(string questionLabel) => new(RefusalKind.Invalid, "answer-required", $"The question \"{questionLabel}\" must be answered.");

    public static Refusal AnswerNotAnOption(string label) => new(RefusalKind.Invalid, "invalid-answer", $"Choose one of the options for \"{label}\".");

    public static Refusal AnswerNotOneLine(string label) => new(RefusalKind.Invalid, "invalid-answer", $"The answer to \"{label}\" must be one line.");

    public static Refusal UnknownQuestion(string questionId) => new(RefusalKind.Invalid, "unknown-question", $"There is no question with id \"{questionId}\".");

    public static Refusal LinkExpired() => new(RefusalKind.Gone, "link-expired", "This link has expired (links stop working when the booking starts, and a year after they were sent).");

    public static Refusal NotFound() => new(RefusalKind.NotFound, "not-found", "Booking not found.");

    public static Refusal AlreadyHeld() => new(RefusalKind.Conflict, "booking-over", "This booking has already taken place.");

    /// <summary>A host cancels a booking that was moved: the booking it became is the one to cancel.</summary>
    public static Refusal Moved() => new(RefusalKind.Conflict, "booking-moved", "This booking was moved: cancel the booking it became.");

    public static Refusal LinkSpent() => new(RefusalKind.Gone, "link-spent", "This link has already been used: the booking was rescheduled or canceled.");
}

public static class BookSlot
{
    /// <summary>
    /// Decides a booking against the slots computed inside the booking's transaction.
    /// Action tokens expire when the booking starts (after that there is nothing left to cancel or move), and at most a year after they were issued.
    /// </summary>
    public static Decision<BookingConfirmed> Decide(
        Guid bookingId, EventType eventType, SlotQuery slots, BookingRequest request, ActionTokenHashes tokens, Instant now)
    {
        if (CheckRequest(eventType, request) is { } refusal) return refusal;
        return Confirm(bookingId, eventType, slots, request, tokens, now);
    }

    /// <summary>The event type must be offered and the answers must fit its questions.</summary>
    public static Refusal? CheckRequest(EventType eventType, BookingRequest request)
    {
        if (!eventType.IsActive) return BookingRefusals.EventTypeInactive();
        foreach (var answered in request.Answers.Keys)
            if (eventType.Questions.All(q => q.Id != answered)) return BookingRefusals.UnknownQuestion(answered);
        foreach (var question in eventType.Questions.Where(q => q.Required))
            if (!request.Answers.TryGetValue(question.Id, out var answer) || string.IsNullOrWhiteSpace(answer))
                return BookingRefusals.AnswerMissing(question.Label);
        foreach (var question in eventType.Questions)
        {
            if (!request.Answers.TryGetValue(question.Id, out var given) || string.IsNullOrWhiteSpace(given)) continue;
            if (question.Kind == QuestionKind.Choice && !(question.Options ?? []).Contains(given))
                return BookingRefusals.AnswerNotAnOption(question.Label);
            if (question.Kind != QuestionKind.LongText && given.Any(c => c is '\n' or '\r'))
                return BookingRefusals.AnswerNotOneLine(question.Label);
        }
        return null;
    }

    /// <summary>Confirms a start that the slot calculator offers; anything else is a taken slot.</summary>
    public static Decision<BookingConfirmed> Confirm(
        Guid bookingId, EventType eventType, SlotQuery slots, BookingRequest request, ActionTokenHashes tokens, Instant now)
    {
        if (SlotCalculator.Find(slots, request.StartsAt) is not { } slot) return BookingRefusals.SlotTaken();
        return Confirmed(bookingId, eventType, slot, request, tokens, now);
    }

    /// <summary>The organizer's booking of a slot (a seat of it when <paramref name="seat"/> is given).</summary>
    internal static BookingConfirmed Confirmed(
        Guid bookingId, EventType eventType, Slot slot, BookingRequest request, ActionTokenHashes tokens, Instant now, BookingSeat? seat = null) =>
        new(
            bookingId, eventType.Id, eventType.OrganizerId, [eventType.OrganizerId],
            slot.Start.ToDateTimeOffset(), slot.End.ToDateTimeOffset(),
            slot.BufferBeforeMinutes, slot.BufferAfterMinutes,
            request.InviteeName, request.InviteeEmail, request.InviteeTimezone, request.Answers,
            tokens.Cancel, tokens.Reschedule, ActionLinks.ExpiresAt(slot.Start, now).ToDateTimeOffset(), now.ToDateTimeOffset(),
            ManageTokenHash: tokens.Manage, Seat: seat);
}
