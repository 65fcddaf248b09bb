using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Host.Bookings;

// What the public pages read (no sign-in), as records so /openapi/v1.json describes them. Names and zones only, never emails.

public sealed record SlotJson(DateTimeOffset StartsAt, DateTimeOffset EndsAt);

/// <summary>The availability answer's shape; <see cref="Availability.SlotsAnswer"/> writes exactly this without building it.</summary>
public sealed record SlotsJson(bool Ok, string Timezone, IReadOnlyList<SlotJson> Slots);

public sealed record PublicEventTypeJson(
    string Name, string Slug, int DurationMinutes, LocationType LocationType, string? LocationValue, IReadOnlyList<Question> Questions);

public sealed record PublicPersonJson(string Username, string DisplayName, string Timezone);

/// <summary><c>GET /v0/users/{username}/event-types/{slug}</c>.</summary>
public sealed record PublicEventTypeAnswer(bool Ok, PublicEventTypeJson EventType, PublicPersonJson Organizer);

public sealed record PublicTeamEventTypeJson(
    Guid Id, string Name, string Slug, int DurationMinutes, LocationType LocationType, string? LocationValue, IReadOnlyList<Question> Questions,
    TeamMode? Mode);

public sealed record PublicTeamJson(Guid Id, string Name, string Slug);

public sealed record PublicMemberUserJson(Guid Id, string Username, string DisplayName, string Timezone);

/// <summary>A member the team's bookings may go to: flat fields for this server's page, nested ones for the reference's.</summary>
public sealed record PublicTeamMemberJson(Guid UserId, string Role, string Username, string DisplayName, string Timezone, PublicMemberUserJson User);

/// <summary><c>GET /v0/teams/{teamSlug}/event-types/{eventSlug}</c>.</summary>
public sealed record PublicTeamEventTypeAnswer(
    bool Ok, TeamMode? Mode, PublicTeamEventTypeJson EventType, PublicTeamJson Team, IReadOnlyList<PublicTeamMemberJson> Members);

public sealed record RescheduledToJson(Guid Id, DateTimeOffset? StartsAt, DateTimeOffset? EndsAt);

/// <summary>A team booking's team, as the reference's manage page reads it to reschedule against the team's availability.</summary>
public sealed record BookingTeamJson(Guid TeamId, string? TeamSlug, Guid TeamEventTypeId, TeamMode? Mode, IReadOnlyList<Guid> AssignmentUserIds);

public sealed record ActionLinkBookingJson(
    Guid Id, Scheduling.Bookings.BookingStatus Status, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string Timezone, string InviteeName,
    string InviteeEmail, IReadOnlyDictionary<string, string> Answers, RescheduledToJson? RescheduledTo, Guid? RescheduledFromBookingId,
    BookingTeamJson? Team, ActionLinkSeatJson? Seat = null);

/// <summary>
/// A seat of a seated slot as its invitee sees it: the seats taken now, and the other attendees' names only when the
/// organizer shows attendees (null otherwise).
/// </summary>
public sealed record ActionLinkSeatJson(int Number, int SeatsPerSlot, int SeatsTaken, IReadOnlyList<string>? OtherAttendees);

public sealed record ActionLinkEventTypeJson(string Slug, string Name, int DurationMinutes);

public sealed record PublicTeamNameJson(string Slug, string Name);

/// <summary>What this link may do now: a cancel link only cancels, a reschedule link only reschedules, the manage link both.</summary>
public sealed record ActionsAllowedJson(bool CanCancel, bool CanReschedule);

/// <summary><c>GET /v0/bookings/actions/{token}</c>.</summary>
public sealed record ActionLinkAnswer(
    bool Ok, Scheduling.Bookings.ActionType ActionType, ActionLinkBookingJson Booking, ActionLinkEventTypeJson? EventType,
    PublicPersonJson? Organizer, PublicTeamNameJson? Team, ActionsAllowedJson Actions);
