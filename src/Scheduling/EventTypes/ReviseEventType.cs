namespace OpenCalendly.Scheduling.EventTypes;

/// <summary>A partial change an organizer asks for; null means "leave as is".</summary>
public sealed record EventTypeChange(
    string? Name = null,
    string? Slug = null,
    int? DurationMinutes = null,
    LocationType? LocationType = null,
    string? LocationValue = null,
    bool ClearLocationValue = false,
    IReadOnlyList<Question>? Questions = null,
    bool? IsActive = null,
    BookingControls? Controls = null,
    IReadOnlyList<Reminder>? Reminders = null,
    IReadOnlyList<Guid>? RequiredMemberIds = null,
    RoundRobinSettings? RoundRobin = null,
    SeatSettings? Seats = null);

public static class ReviseEventType
{
    /// <summary>Only what actually changes becomes an event, so a no-op PATCH appends nothing.</summary>
    public static object[] Decide(EventType current, EventTypeChange change, DateTimeOffset now)
    {
        var events = new List<object>();
        var before = current.Details;
        var after = before with
        {
            Name = change.Name ?? before.Name,
            Slug = change.Slug ?? before.Slug,
            DurationMinutes = change.DurationMinutes ?? before.DurationMinutes,
            LocationType = change.LocationType ?? before.LocationType,
            LocationValue = change.ClearLocationValue ? null : change.LocationValue ?? before.LocationValue,
            Questions = change.Questions ?? before.Questions,
            Controls = change.Controls ?? before.EffectiveControls,
            Reminders = change.Reminders ?? before.EffectiveReminders,
            Seats = change.Seats ?? before.EffectiveSeats,
        };
        if (!SameDetails(before, after))
            events.Add(new EventTypeDetailsRevised(current.Id, current.OrganizerId, after, now));

        if (current.TeamSettings() is { } team)
        {
            var revised = team with
            {
                RequiredMemberIds = change.RequiredMemberIds ?? team.RequiredMemberIds,
                RoundRobin = team.Mode == TeamMode.RoundRobin ? change.RoundRobin ?? team.RoundRobin : null,
            };
            if (!revised.RequiredMemberIds.SequenceEqual(team.RequiredMemberIds) || !revised.EffectiveRoundRobin.SameAs(team.EffectiveRoundRobin))
                events.Add(new TeamSettingsRevised(current.Id, current.OrganizerId, revised, now));
        }

        if (change.IsActive is { } active && active != current.IsActive)
            events.Add(active
                ? new EventTypeActivated(current.Id, current.OrganizerId, now)
                : new EventTypeDeactivated(current.Id, current.OrganizerId, now));
        return [.. events];
    }

    private static bool SameDetails(EventTypeDetails a, EventTypeDetails b) =>
        a.Name == b.Name && a.Slug == b.Slug && a.DurationMinutes == b.DurationMinutes
        && a.LocationType == b.LocationType && a.LocationValue == b.LocationValue
        && a.Questions.SequenceEqual(b.Questions)
        && a.EffectiveControls == b.EffectiveControls && a.EffectiveReminders.SequenceEqual(b.EffectiveReminders)
        && a.EffectiveSeats == b.EffectiveSeats;
}
