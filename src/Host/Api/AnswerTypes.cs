using OpenCalendly.Host.Bookings;
using OpenCalendly.Host.EventTypes;
using OpenCalendly.Host.Identity;
using OpenCalendly.Host.Webhooks;
using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Host.Api;

// The organizer's answers as records, so /openapi/v1.json describes them (see OpenApiAdditions for the rest).

/// <summary>A change that answers nothing but that it went through.</summary>
public sealed record OkAnswer(bool Ok);

public sealed record MeAnswer(bool Ok, UserJson User);

public sealed record EventTypeAnswer(bool Ok, EventTypeJson EventType);

public sealed record EventTypesAnswer(bool Ok, IReadOnlyList<EventTypeJson> EventTypes);

public sealed record WebhookAnswer(bool Ok, WebhookJson Webhook);

public sealed record WebhooksAnswer(bool Ok, IReadOnlyList<WebhookJson> Webhooks);

/// <summary>A booking as the organizer's list shows it: the invitee, the answers, the status and where it came from or went.</summary>
public sealed record OrganizerBookingJson(
    Guid Id, Guid EventTypeId, string? EventTypeName, BookingStatus Status, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string InviteeName,
    string InviteeEmail, string InviteeTimezone, IReadOnlyList<AnswerJson> Answers, string? CancelReason, IReadOnlyList<Guid> AssignmentUserIds,
    Guid? TeamId, Guid? RescheduledFromBookingId, Guid? RescheduledToBookingId, DateTimeOffset UpdatedAt);

public sealed record OrganizerBookingsAnswer(bool Ok, IReadOnlyList<OrganizerBookingJson> Bookings);

public sealed record WebhookDeliveryJson(
    Guid Id, Guid EventId, string EventType, WebhookDeliveryStatus Status, int Attempts, DateTimeOffset NextAttemptAt, DateTimeOffset? LastAttemptAt,
    int? LastStatus, string? LastError, DateTimeOffset CreatedAt);

public sealed record WebhookDeliveriesAnswer(bool Ok, IReadOnlyList<WebhookDeliveryJson> Deliveries);

/// <summary>What a run of due deliveries or writebacks did.</summary>
public sealed record DeliveryRunAnswer(
    bool Ok, int Processed, int Succeeded, int Retried, int Failed,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] int? Limit = null);
