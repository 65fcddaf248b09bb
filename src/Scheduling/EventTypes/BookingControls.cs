namespace OpenCalendly.Scheduling.EventTypes;

/// <summary>
/// What an organizer limits about when an event type can be booked. Every field has a default that
/// leaves the event type as it was before these controls existed.
/// </summary>
/// <param name="MinimumNoticeMinutes">A slot must start at least this long after the moment of booking.</param>
/// <param name="BookingWindowDays">
/// How far ahead, in the organizer's calendar days: a slot may start on today's local date or up to this
/// many dates after it. Null: no limit.
/// </param>
/// <param name="SlotIncrementMinutes">Slots start this often (5–60), counted from the start of each available window.</param>
/// <param name="BufferBeforeMinutes">Kept free before each booking, on top of the weekly rule's own buffer.</param>
/// <param name="BufferAfterMinutes">Kept free after each booking, on top of the weekly rule's own buffer.</param>
/// <param name="DailyCap">At most this many confirmed bookings of the event type per local date of the organizer.</param>
/// <param name="WeeklyCap">At most this many per local ISO week (Monday to Sunday) of the organizer.</param>
public sealed record BookingControls(
    int MinimumNoticeMinutes = 0,
    int? BookingWindowDays = null,
    int SlotIncrementMinutes = BookingControls.DefaultIncrement,
    int BufferBeforeMinutes = 0,
    int BufferAfterMinutes = 0,
    int? DailyCap = null,
    int? WeeklyCap = null)
{
    public const int DefaultIncrement = 15;

    public static BookingControls Default { get; } = new();

    public bool HasCaps => DailyCap is not null || WeeklyCap is not null;
}

public enum ReminderRecipients { Invitee, Organizer, Both }

/// <summary>An email sent <see cref="MinutesBefore"/> minutes before a booking starts.</summary>
public sealed record Reminder(int MinutesBefore, ReminderRecipients Recipients)
{
    public const int MaxPerEventType = 3;
}
