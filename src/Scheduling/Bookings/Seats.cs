using NodaTime;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Scheduling.Bookings;

/// <summary>
/// A seated slot that has started filling: its id, its time (with the buffers its first seat was booked with) and the
/// numbers of the seats taken now.
/// </summary>
public sealed record SeatedSlot(Guid Id, Slot Slot, IReadOnlyList<int> Taken)
{
    /// <summary>The lowest free seat number, or null when all <paramref name="seatsPerSlot"/> are taken.</summary>
    public int? FreeSeat(int seatsPerSlot)
    {
        var number = 1;
        foreach (var taken in Taken.Order())
        {
            if (taken > number) break;
            if (taken == number) number++;
        }
        return number <= seatsPerSlot ? number : null;
    }
}

/// <summary>A slot offered to invitees of a seated event type, with how many seats are left.</summary>
public readonly record struct OfferedSeats(Slot Slot, int SeatsRemaining);

public static class Seats
{
    /// <summary>One id per event type and start: every seat of the slot reserves the organizer's time under it.</summary>
    public static Guid SlotId(Guid eventTypeId, Instant start) => DerivedIds.From($"seats:{eventTypeId:N}:{start.ToUnixTimeTicks()}");

    /// <summary>The key of the slot's one calendar event, which carries every attendee seated there.</summary>
    public static string CalendarUid(Guid slotId) => $"{slotId}@opencalendly";

    /// <summary>
    /// What a seated event type offers: every free slot with all its seats, and every slot that has started filling and still
    /// has a seat, within the notice and the window, although the organizer is busy then (with it). Sorted by start.
    /// </summary>
    public static IReadOnlyList<OfferedSeats> Offer(SlotQuery query, IReadOnlyList<Slot> free, IReadOnlyList<SeatedSlot> filling, int seatsPerSlot) =>
        [.. free.Select(s => new OfferedSeats(s, seatsPerSlot))
            .Concat(filling
                .Where(f => f.Slot.Start >= query.RangeStart && f.Slot.End <= query.RangeEnd && SlotCalculator.InNoticeAndWindow(query, f.Slot.Start))
                .Select(f => new OfferedSeats(f.Slot, seatsPerSlot - f.Taken.Count))
                .Where(o => o.SeatsRemaining > 0))
            .OrderBy(o => o.Slot.Start)];
}

public static class BookSeat
{
    /// <summary>
    /// A seat at a seated event type's slot. When the slot has started filling (<paramref name="filling"/>), the invitee joins
    /// it at the lowest free seat while one is left and its start is still within the notice and window; the organizer's time
    /// is already held by it. Otherwise the slot must be free like any other, and this is its first seat, which holds the
    /// organizer's time for all of them.
    /// </summary>
    public static Decision<BookingConfirmed> Decide(
        Guid bookingId, EventType eventType, SlotQuery slots, SeatedSlot? filling, BookingRequest request, ActionTokenHashes tokens, Instant now)
    {
        if (BookSlot.CheckRequest(eventType, request) is { } refusal) return refusal;
        return Confirm(bookingId, eventType, slots, filling, request, tokens, now);
    }

    public static Decision<BookingConfirmed> Confirm(
        Guid bookingId, EventType eventType, SlotQuery slots, SeatedSlot? filling, BookingRequest request, ActionTokenHashes tokens, Instant now)
    {
        var perSlot = eventType.Seats.PerSlot;
        Slot slot;
        int number, taken;
        if (filling is { Taken.Count: > 0 })
        {
            if (filling.Slot.Start != request.StartsAt || !SlotCalculator.InNoticeAndWindow(slots, request.StartsAt)
                || filling.FreeSeat(perSlot) is not { } free)
                return BookingRefusals.SlotTaken();
            (slot, number, taken) = (filling.Slot, free, filling.Taken.Count + 1);
        }
        else
        {
            if (SlotCalculator.Find(slots, request.StartsAt) is not { } found) return BookingRefusals.SlotTaken();
            (slot, number, taken) = (found, 1, 1);
        }

        return BookSlot.Confirmed(bookingId, eventType, slot, request, tokens, now,
            new BookingSeat(Seats.SlotId(eventType.Id, slot.Start), number, perSlot, taken));
    }
}
