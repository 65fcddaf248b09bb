namespace OpenCalendly.Host.Teams;

// The teams' answers as records, so /openapi/v1.json describes them.

/// <summary>A team its owner sees: counts of active members, open invitations and team event types.</summary>
public sealed record TeamJson(
    Guid Id, Guid OwnerUserId, string Name, string Slug, int MemberCount, int InvitedCount, int TeamEventTypeCount, DateTimeOffset CreatedAt);

public sealed record TeamsAnswer(bool Ok, IReadOnlyList<TeamJson> Teams);

public sealed record TeamAnswer(bool Ok, TeamJson Team);

public sealed record MemberUserJson(Guid Id, string Email, string Username, string DisplayName, string Timezone);

/// <summary>The reference web app reads <c>id</c>, <c>userId</c>, <c>role</c> and the nested <c>user</c>; the flat fields stay for older clients.</summary>
public sealed record TeamMemberJson(
    Guid Id, Guid TeamId, Guid UserId, string Role, string Status, string Username, string DisplayName, string Timezone, DateTimeOffset AddedAt,
    DateTimeOffset CreatedAt, DateTimeOffset? AcceptedAt, MemberUserJson User);

public sealed record TeamMembersAnswer(bool Ok, IReadOnlyList<TeamMemberJson> Members);

public sealed record TeamMemberAnswer(bool Ok, TeamMemberJson Member);

public sealed record KeptBookingJson(Guid Id, Guid EventTypeId, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string InviteeName);

/// <summary>A member removed or gone: their upcoming team bookings stay theirs, listed here.</summary>
public sealed record TeamDepartureAnswer(bool Ok, Guid Removed, IReadOnlyList<KeptBookingJson> KeptBookings);

public sealed record TeamNameJson(string Name, string Slug);

public sealed record InviterJson(string DisplayName, string Username);

public sealed record TeamInvitationJson(Guid Id, Guid TeamId, TeamNameJson Team, string Role, string Status, DateTimeOffset InvitedAt, InviterJson? InvitedBy);

public sealed record TeamInvitationsAnswer(bool Ok, IReadOnlyList<TeamInvitationJson> Invitations);

public sealed record TeamInvitationAnsweredAnswer(bool Ok, Guid TeamId, TeamNameJson Team, string Status);

public sealed record TeamEventTypeAnswer(bool Ok, TeamEventTypeJson TeamEventType);

public sealed record TeamEventTypesAnswer(bool Ok, IReadOnlyList<TeamEventTypeJson> EventTypes);
