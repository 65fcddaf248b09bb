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
    IReadOnlyList<Reminder>? Reminders = null,
    SeatSettings? Seats = null)
{
    /// <summary>Events written before the controls existed carry none: they mean the defaults.</summary>
    public BookingControls EffectiveControls => Controls ?? BookingControls.Default;

    public IReadOnlyList<Reminder> EffectiveReminders => Reminders ?? [];

    /// <summary>Events written before seats existed carry none: one seat, a one-on-one meeting.</summary>
    public SeatSettings EffectiveSeats => Seats ?? SeatSettings.OneOnOne;
}

/// <summary>
/// How many invitees one slot takes (<paramref name="PerSlot"/> 1–1000; 1 is a one-on-one meeting) and whether they
/// see each other (<paramref name="ShowAttendees"/>).
/// </summary>
public sealed record SeatSettings(int PerSlot, bool ShowAttendees)
{
    public const int MaxPerSlot = 1000;

    public static readonly SeatSettings OneOnOne = new(1, false);

    public bool IsSeated => PerSlot > 1;
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

/// <summary>
/// How a team event type assigns people: the team, the mode, the members it draws on, and for round robin how it picks
/// among them (events written before weights existed carry none: every member weighs the same).
/// </summary>
public sealed record TeamSettings(Guid TeamId, TeamMode Mode, IReadOnlyList<Guid> RequiredMemberIds, RoundRobinSettings? RoundRobin = null)
{
    public RoundRobinSettings EffectiveRoundRobin => RoundRobin ?? RoundRobinSettings.Default;
}

/// <summary>A team owner published an event type for the team (active from the start).</summary>
public sealed record TeamEventTypeCreated(Guid EventTypeId, Guid OwnerId, TeamSettings Team, EventTypeDetails Details, DateTimeOffset CreatedAt);

/// <summary>
/// How round robin picks among the free members: <see cref="Fair"/> balances assignments by weight, <see cref="Available"/>
/// gives the slot to the highest-priority free member. Both offer higher priorities first.
/// </summary>
public enum RoundRobinStrategy { Fair, Available }

/// <summary>One member's share of a round robin: <paramref name="Weight"/> 0–1000 (0: never assigned), <paramref name="Priority"/> 0–4 (higher first).</summary>
public sealed record MemberWeighting(Guid UserId, int Weight, int Priority);

/// <summary>A round-robin event type's strategy and the members' weights and priorities; members not listed have the defaults.</summary>
public sealed record RoundRobinSettings(RoundRobinStrategy Strategy, IReadOnlyList<MemberWeighting> Members)
{
    public const int DefaultWeight = 100, MaxWeight = 1000, DefaultPriority = 2, MaxPriority = 4;

    public static readonly RoundRobinSettings Default = new(RoundRobinStrategy.Fair, []);

    public MemberWeighting For(Guid userId) =>
        Members.FirstOrDefault(m => m.UserId == userId) ?? new MemberWeighting(userId, DefaultWeight, DefaultPriority);

    public bool SameAs(RoundRobinSettings other) => Strategy == other.Strategy && Members.SequenceEqual(other.Members);
}

/// <summary>The team owner changed whom a team event type draws on or how round robin assigns them; bookings made keep their assignees.</summary>
public sealed record TeamSettingsRevised(Guid EventTypeId, Guid OwnerId, TeamSettings Team, DateTimeOffset RevisedAt);
