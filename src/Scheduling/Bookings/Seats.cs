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

    /// <summary>The seat a new invitee takes at <paramref name="start"/>: the lowest free one; null when the slot starts elsewhere or is full.</summary>
    public BookingSeat? Join(Instant start, int seatsPerSlot) =>
        Slot.Start == start && FreeSeat(seatsPerSlot) is { } number ? new BookingSeat(Id, number, seatsPerSlot, Taken.Count + 1) : null;
}

/// <summary>A slot offered to invitees of a seated event type, with how many seats are left.</summary>
public readonly record struct OfferedSeats(Slot Slot, int SeatsRemaining);

public static class Seats
{
    /// <summary>One id per event type and start: every seat of the slot reserves the organizer's time under it.</summary>
    public static Guid SlotId(Guid eventTypeId, Instant start) => DerivedIds.From($"seats:{eventTypeId:N}:{start.ToUnixTimeTicks()}");

    /// <summary>The first seat of the event type's slot at <paramref name="start"/>: it holds the time for all of them.</summary>
    public static BookingSeat First(Guid eventTypeId, Instant start, int seatsPerSlot) => new(SlotId(eventTypeId, start), 1, seatsPerSlot, 1);

    /// <summary>
    /// The slots that have started filling and are still open to invitees: starting in <c>[from, to)</c>, bookable by the notice
    /// and the window (<paramref name="bookable"/>) and with a seat left, with the seats each has left.
    /// </summary>
    public static IEnumerable<(SeatedSlot Filling, int SeatsLeft)> Open(
        IEnumerable<SeatedSlot> filling, Instant from, Instant to, int seatsPerSlot, Func<Instant, bool> bookable) =>
        filling.Where(f => f.Slot.Start >= from && f.Slot.End <= to && bookable(f.Slot.Start))
            .Select(f => (f, seatsPerSlot - f.Taken.Count))
            .Where(o => o.Item2 > 0);

    /// <summary>The key of the slot's one calendar event, which carries every attendee seated there.</summary>
    public static string CalendarUid(Guid slotId) => $"{slotId}@opencalendly";

    /// <summary>
    /// What a seated event type offers: every free slot with all its seats, and every slot that has started filling and still
    /// has a seat, within the notice and the window, although the organizer is busy then (with it). Sorted by start.
    /// </summary>
    public static IReadOnlyList<OfferedSeats> Offer(SlotQuery query, IReadOnlyList<Slot> free, IReadOnlyList<SeatedSlot> filling, int seatsPerSlot) =>
        [.. free.Select(s => new OfferedSeats(s, seatsPerSlot))
            .Concat(Open(filling, query.RangeStart, query.RangeEnd, seatsPerSlot, start => SlotCalculator.InNoticeAndWindow(query, start))
                .Select(o => new OfferedSeats(o.Filling.Slot, o.SeatsLeft)))
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
        if (filling is { Taken.Count: > 0 })
            return SlotCalculator.InNoticeAndWindow(slots, request.StartsAt) && filling.Join(request.StartsAt, perSlot) is { } seat
                ? BookSlot.Confirmed(bookingId, eventType, filling.Slot, request, tokens, now, seat)
                : BookingRefusals.SlotTaken();
        return SlotCalculator.Find(slots, request.StartsAt) is { } free
            ? BookSlot.Confirmed(bookingId, eventType, free, request, tokens, now, Seats.First(eventType.Id, free.Start, perSlot))
            : BookingRefusals.SlotTaken();
    }
}
