namespace OpenCalendly.Scheduling.EventTypes;

/// <summary>The event type aggregate; kept inline by a projection as the read model the booking page reads.</summary>
public sealed class EventType
{
    public Guid Id { get; set; }
    public Guid OrganizerId { get; set; }
    public string Name { get; set; } = "";
    public string Slug { get; set; } = "";
    public int DurationMinutes { get; set; }
    public LocationType LocationType { get; set; }
    public string? LocationValue { get; set; }
    public List<Question> Questions { get; set; } = [];
    public BookingControls Controls { get; set; } = BookingControls.Default;
    public List<Reminder> Reminders { get; set; } = [];
    public SeatSettings Seats { get; set; } = SeatSettings.OneOnOne;
    public bool IsActive { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public Guid? TeamId { get; set; }
    public TeamMode? Mode { get; set; }
    public List<Guid> RequiredMemberIds { get; set; } = [];

    /// <summary>How round robin picks among the members; null for a personal or collective event type, or one made before weights.</summary>
    public RoundRobinSettings? RoundRobin { get; set; }

    public RoundRobinSettings EffectiveRoundRobin => RoundRobin ?? RoundRobinSettings.Default;

    /// <summary>A team event type's settings as a whole (null for a personal one).</summary>
    public TeamSettings? TeamSettings() => TeamId is { } teamId ? new(teamId, Mode ?? TeamMode.RoundRobin, RequiredMemberIds, RoundRobin) : null;

    /// <summary>Whose namespace the slug lives in: an organizer's own page or a team's. Unique with the slug.</summary>
    public string Scope { get; set; } = "";

    public static string PersonalScope(Guid organizerId) => $"user:{organizerId}";

    public static string TeamScope(Guid teamId) => $"team:{teamId}";

    public static EventType From(EventTypeCreated e)
    {
        var eventType = new EventType
        {
            Id = e.EventTypeId, OrganizerId = e.OrganizerId, IsActive = true, CreatedAt = e.CreatedAt, Scope = PersonalScope(e.OrganizerId),
        };
        eventType.Take(e.Details, e.CreatedAt);
        return eventType;
    }

    /// <summary>A team event type belongs to the team's owner, who receives its webhooks.</summary>
    public static EventType From(TeamEventTypeCreated e)
    {
        var eventType = new EventType
        {
            Id = e.EventTypeId, OrganizerId = e.OwnerId, IsActive = true, CreatedAt = e.CreatedAt, Scope = TeamScope(e.Team.TeamId),
            TeamId = e.Team.TeamId, Mode = e.Team.Mode, RequiredMemberIds = [.. e.Team.RequiredMemberIds], RoundRobin = e.Team.RoundRobin,
        };
        eventType.Take(e.Details, e.CreatedAt);
        return eventType;
    }

    public void When(EventTypeDetailsRevised e) => Take(e.Details, e.RevisedAt);

    public void When(EventTypeDeactivated e) => (IsActive, UpdatedAt) = (false, e.DeactivatedAt);

    public void When(EventTypeActivated e) => (IsActive, UpdatedAt) = (true, e.ActivatedAt);

    public void When(TeamSettingsRevised e) =>
        (Mode, RequiredMemberIds, RoundRobin, UpdatedAt) = (e.Team.Mode, [.. e.Team.RequiredMemberIds], e.Team.RoundRobin, e.RevisedAt);

    /// <summary>Applies freshly decided events, so an answer can show the state they lead to.</summary>
    public void Evolve(IEnumerable<object> events)
    {
        foreach (var e in events)
        {
            switch (e)
            {
                case EventTypeDetailsRevised revised: When(revised); break;
                case EventTypeActivated activated: When(activated); break;
                case EventTypeDeactivated deactivated: When(deactivated); break;
                case TeamSettingsRevised revised: When(revised); break;
            }
        }
    }

    public EventTypeDetails Details => new(Name, Slug, DurationMinutes, LocationType, LocationValue, Questions, Controls, Reminders, Seats);

    private void Take(EventTypeDetails details, DateTimeOffset at)
    {
        Name = details.Name;
        Slug = details.Slug;
        DurationMinutes = details.DurationMinutes;
        LocationType = details.LocationType;
        LocationValue = details.LocationValue;
        Questions = [.. details.Questions];
        Controls = details.EffectiveControls;
        Reminders = [.. details.EffectiveReminders];
        Seats = details.EffectiveSeats;
        UpdatedAt = at;
    }
}
