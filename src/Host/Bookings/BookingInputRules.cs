using OpenCalendly.Host.Api;
using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Host.Bookings;

/// <summary>Input rules shared by every route that books a slot (one-on-one now, team bookings later).</summary>
public static class BookingInputRules
{
    public const int MaxAnswers = 20;
    public const int MaxAnswerLength = 2000;

    public static FieldErrors Check(FieldErrors errors, DateTimeOffset? startsAt, string? timezone,
        string? inviteeName, string? inviteeEmail, IReadOnlyDictionary<string, string?>? answers)
    {
        errors.Require("startsAt", startsAt)
            .When(startsAt is { Year: < 2000 or >= 2200 }, "startsAt", "startsAt must lie between 2000 and 2200.")
            .Zone("timezone", timezone)
            .Text("inviteeName", inviteeName, 1, 120, required: true)
            .When(inviteeName is not null && string.IsNullOrWhiteSpace(inviteeName), "inviteeName", "inviteeName must not be blank.")
            .Email("inviteeEmail", inviteeEmail, required: true);
        if (answers is null) return errors;
        if (answers.Count > MaxAnswers) return errors.Add("answers", $"At most {MaxAnswers} answers.");
        foreach (var (id, value) in answers)
        {
            var field = $"answers.{(id.Length > 64 ? id[..64] : id)}";
            errors.When(id.Length is 0 or > 64, field, "Answer keys are question ids of 1–64 characters.")
                .Text(field, value, 0, MaxAnswerLength, multiline: true);
        }
        return errors;
    }

    /// <summary>The checked fields as the decision takes them: names and email trimmed, unanswered questions left out.</summary>
    public static BookingRequest Request(DateTimeOffset startsAt, string inviteeName, string inviteeEmail, string timezone,
        IReadOnlyDictionary<string, string?>? answers) =>
        new(NodaTime.Instant.FromDateTimeOffset(startsAt), inviteeName.Trim(), inviteeEmail.Trim(), timezone, Answers(answers));

    private static IReadOnlyDictionary<string, string> Answers(IReadOnlyDictionary<string, string?>? answers) =>
        answers?.Where(a => a.Value is not null).ToDictionary(a => a.Key, a => a.Value!) ?? [];
}
