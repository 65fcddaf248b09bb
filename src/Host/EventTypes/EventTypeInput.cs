using OpenCalendly.Host.Api;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Host.EventTypes;

/// <summary>A question: <c>kind</c> is text (default), long_text or choice; a choice lists 2–20 <c>options</c>.</summary>
public sealed record QuestionInput(string? Id, string? Label, bool? Required, string? Placeholder, QuestionKind? Kind = null, IReadOnlyList<string?>? Options = null);

/// <summary>The body of create and update; every field optional here, required-ness is the route's to decide.</summary>
public sealed record EventTypeInput(
    string? Name,
    string? Slug,
    int? DurationMinutes,
    LocationType? LocationType,
    string? LocationValue,
    IReadOnlyList<QuestionInput?>? Questions,
    bool? IsActive,
    ControlsInput? Controls = null,
    IReadOnlyList<ReminderInput?>? Reminders = null,
    int? SeatsPerSlot = null,
    bool? ShowAttendees = null)
{
    public const int MaxQuestions = 20;

    /// <summary>The seats this input makes of <paramref name="current"/>; null when it asks for no change.</summary>
    public SeatSettings? SeatsOver(SeatSettings current) =>
        SeatsPerSlot is null && ShowAttendees is null ? null : new(SeatsPerSlot ?? current.PerSlot, ShowAttendees ?? current.ShowAttendees);

    public FieldErrors Check(bool creating)
    {
        var errors = new FieldErrors()
            .Text("name", Name, 1, 120, required: creating)
            .Text("slug", Slug, 2, 80, required: creating)
            .Pattern("slug", Slug, FieldErrors.Kebab(), "must be kebab-case: a-z, 0-9 and single hyphens.")
            .Number("durationMinutes", DurationMinutes, 5, 240, required: creating)
            .Text("locationValue", LocationValue, 0, 500)
            .Number("seatsPerSlot", SeatsPerSlot, 1, SeatSettings.MaxPerSlot);
        if (creating) errors.Require("locationType", LocationType);
        Controls?.Check(errors);
        ReminderInput.Check(errors, Reminders);
        if (Questions is null) return errors;

        if (Questions.Count > MaxQuestions) return errors.Add("questions", $"At most {MaxQuestions} questions.");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Questions.Count; i++)
        {
            var field = $"questions[{i}]";
            if (Questions[i] is not { } q) { errors.Add(field, $"{field} must be an object."); continue; }
            errors.Text($"{field}.id", q.Id, 1, 64, required: true)
                .Text($"{field}.label", q.Label, 1, 200, required: true)
                .Text($"{field}.placeholder", q.Placeholder, 0, 200);
            if (q.Kind == QuestionKind.Choice)
            {
                var options = q.Options ?? [];
                errors.When(options.Count is < 2 or > 20, $"{field}.options", "A choice needs 2 to 20 options.")
                    .When(options.Distinct().Count() != options.Count, $"{field}.options", "Each option may appear once.");
                for (var o = 0; o < options.Count; o++) errors.Text($"{field}.options[{o}]", options[o], 1, 100, required: true);
            }
            else errors.When(q.Options is { Count: > 0 }, $"{field}.options", "Only a choice question has options.");
            if (q.Id is not null && !ids.Add(q.Id)) errors.Add($"{field}.id", $"Question id '{q.Id}' is used twice.");
        }
        return errors;
    }

    public List<Question>? QuestionList() =>
        Questions?.Select(q => new Question(q!.Id!, q.Label!, q.Required ?? false, q.Placeholder, q.Kind ?? QuestionKind.Text,
            q.Kind == QuestionKind.Choice ? [.. q.Options!.OfType<string>()] : null)).ToList();
}

public sealed record EventTypeJson(
    Guid Id, string Slug, string Name, int DurationMinutes, LocationType LocationType, string? LocationValue,
    IReadOnlyList<Question> Questions, bool IsActive, DateTimeOffset CreatedAt, ControlsJson Controls, IReadOnlyList<ReminderJson> Reminders,
    int SeatsPerSlot, bool ShowAttendees)
{
    public static EventTypeJson Of(EventType e) =>
        new(e.Id, e.Slug, e.Name, e.DurationMinutes, e.LocationType, e.LocationValue, e.Questions, e.IsActive, e.CreatedAt,
            ControlsJson.Of(e.Controls), ReminderJson.Of(e.Reminders), e.Seats.PerSlot, e.Seats.ShowAttendees);
}
