namespace OpenCalendly.Scheduling.EventTypes;

public enum LocationType { Video, Phone, InPerson, Custom }

/// <summary>How a question is answered: one line, a few lines, or one of the given options.</summary>
public enum QuestionKind { Text, LongText, Choice }

/// <summary>A question the invitee answers when booking. Questions stored before kinds existed are one-line text.</summary>
public sealed record Question(string Id, string Label, bool Required, string? Placeholder, QuestionKind Kind = QuestionKind.Text, IReadOnlyList<string>? Options = null);

/// <summary>What an event type offers and when it can be booked; revised as a whole.</summary>
public sealed record EventTypeDetails(
    string Name,
    string Slug,
    int DurationMinutes,
    LocationType LocationType,
    string? LocationValue,
    IReadOnlyList<Question> Questions,
    BookingControls? Controls = null,
    IReadOnlyList<Reminder>? Reminders = null)
{
    /// <summary>Events written before the controls existed carry none: they mean the defaults.</summary>
    public BookingControls EffectiveControls => Controls ?? BookingControls.Default;

    public IReadOnlyList<Reminder> EffectiveReminders => Reminders ?? [];
}

/// <summary>An organizer published a new event type (active from the start).</summary>
public sealed record EventTypeCreated(Guid EventTypeId, Guid OrganizerId, EventTypeDetails Details, DateTimeOffset CreatedAt);

/// <summary>The organizer revised the event type's details; bookings already made keep theirs.</summary>
public sealed record EventTypeDetailsRevised(Guid EventTypeId, Guid OrganizerId, EventTypeDetails Details, DateTimeOffset RevisedAt);

/// <summary>The organizer stopped offering the event type: its page answers 404.</summary>
public sealed record EventTypeDeactivated(Guid EventTypeId, Guid OrganizerId, DateTimeOffset DeactivatedAt);

/// <summary>The organizer offers the event type again.</summary>
public sealed record EventTypeActivated(Guid EventTypeId, Guid OrganizerId, DateTimeOffset ActivatedAt);

public enum TeamMode { RoundRobin, Collective }

/// <summary>How a team event type assigns people: the team, the mode, and the members it draws on.</summary>
public sealed record TeamSettings(Guid TeamId, TeamMode Mode, IReadOnlyList<Guid> RequiredMemberIds);

/// <summary>A team owner published an event type for the team (active from the start).</summary>
public sealed record TeamEventTypeCreated(Guid EventTypeId, Guid OwnerId, TeamSettings Team, EventTypeDetails Details, DateTimeOffset CreatedAt);
