using OpenCalendly.Host.Api;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Host.EventTypes;

/// <summary>
/// The event type's booking controls as sent: each field optional, an absent one keeps its current value.
/// The three limits that can be switched off (window and caps) take 0 for "no limit".
/// </summary>
public sealed record ControlsInput(
    int? MinimumNoticeMinutes, int? BookingWindowDays, int? SlotIncrementMinutes,
    int? BufferBeforeMinutes, int? BufferAfterMinutes, int? DailyCap, int? WeeklyCap)
{
    public const int MaxNoticeMinutes = 60 * 24 * 90;
    public const int MaxWindowDays = 730;
    public const int MaxBufferMinutes = 180;

    public void Check(FieldErrors errors) => errors
        .Number("controls.minimumNoticeMinutes", MinimumNoticeMinutes, 0, MaxNoticeMinutes)
        .Number("controls.bookingWindowDays", BookingWindowDays, 0, MaxWindowDays)
        .Number("controls.slotIncrementMinutes", SlotIncrementMinutes, 5, 60)
        .Number("controls.bufferBeforeMinutes", BufferBeforeMinutes, 0, MaxBufferMinutes)
        .Number("controls.bufferAfterMinutes", BufferAfterMinutes, 0, MaxBufferMinutes)
        .Number("controls.dailyCap", DailyCap, 0, 1000)
        .Number("controls.weeklyCap", WeeklyCap, 0, 5000);

    public BookingControls Over(BookingControls current) => new(
        MinimumNoticeMinutes ?? current.MinimumNoticeMinutes,
        BookingWindowDays is { } window ? NoneIfZero(window) : current.BookingWindowDays,
        SlotIncrementMinutes ?? current.SlotIncrementMinutes,
        BufferBeforeMinutes ?? current.BufferBeforeMinutes,
        BufferAfterMinutes ?? current.BufferAfterMinutes,
        DailyCap is { } daily ? NoneIfZero(daily) : current.DailyCap,
        WeeklyCap is { } weekly ? NoneIfZero(weekly) : current.WeeklyCap);

    private static int? NoneIfZero(int value) => value == 0 ? null : value;
}

public sealed record ReminderInput(int? MinutesBefore, ReminderRecipients? To)
{
    public const int MaxMinutesBefore = 60 * 24 * 7;

    public static void Check(FieldErrors errors, IReadOnlyList<ReminderInput?>? reminders)
    {
        if (reminders is null) return;
        if (reminders.Count > Reminder.MaxPerEventType) { errors.Add("reminders", $"At most {Reminder.MaxPerEventType} reminders."); return; }
        var seen = new HashSet<int>();
        for (var i = 0; i < reminders.Count; i++)
        {
            var field = $"reminders[{i}]";
            if (reminders[i] is not { } r) { errors.Add(field, $"{field} must be an object."); continue; }
            errors.Number($"{field}.minutesBefore", r.MinutesBefore, 5, MaxMinutesBefore, required: true).Require($"{field}.to", r.To);
            if (r.MinutesBefore is { } m && !seen.Add(m)) errors.Add($"{field}.minutesBefore", $"Two reminders {m} minutes before: keep one.");
        }
    }

    public static List<Reminder>? From(IReadOnlyList<ReminderInput?>? reminders) =>
        reminders?.Select(r => new Reminder(r!.MinutesBefore!.Value, r.To!.Value)).OrderByDescending(r => r.MinutesBefore).ToList();
}

/// <summary>The controls as every event type answer shows them: null where there is no limit.</summary>
public sealed record ControlsJson(
    int MinimumNoticeMinutes, int? BookingWindowDays, int SlotIncrementMinutes,
    int BufferBeforeMinutes, int BufferAfterMinutes, int? DailyCap, int? WeeklyCap)
{
    public static ControlsJson Of(BookingControls c) => new(
        c.MinimumNoticeMinutes, c.BookingWindowDays, c.SlotIncrementMinutes, c.BufferBeforeMinutes, c.BufferAfterMinutes, c.DailyCap, c.WeeklyCap);
}

public sealed record ReminderJson(int MinutesBefore, ReminderRecipients To)
{
    public static IReadOnlyList<ReminderJson> Of(IEnumerable<Reminder> reminders) => [.. reminders.Select(r => new ReminderJson(r.MinutesBefore, r.Recipients))];
}
