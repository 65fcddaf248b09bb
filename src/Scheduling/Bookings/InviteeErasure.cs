namespace OpenCalendly.Scheduling.Bookings;

/// <summary>
/// What an erased invitee's bookings keep: their times, event type, people and outcome (so analytics and the
/// organizer's history still count them), but not who booked. The event store's masking applies these to the stored
/// events, and the booking read model, rebuilt from them, shows "Erased invitee".
/// </summary>
public static class InviteeErasure
{
    public const string ErasedName = "Erased invitee";
    public const string ErasedTimezone = "UTC";

    public static BookingConfirmed Mask(BookingConfirmed e) =>
        e with { InviteeName = ErasedName, InviteeEmail = "", InviteeTimezone = ErasedTimezone, Answers = new Dictionary<string, string>() };

    /// <summary>The reason may be the invitee's own words.</summary>
    public static BookingCanceled Mask(BookingCanceled e) => e with { Reason = null };

    public static bool IsErased(Booking booking) => booking.InviteeEmail.Length == 0 && booking.InviteeName == ErasedName;
}
