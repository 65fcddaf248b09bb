using OpenCalendly.Scheduling.Bookings;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Host.Bookings;

/// <summary>An invitee's answer with the question it answers, as the organizer reads it.</summary>
public sealed record AnswerJson(string Id, string Label, string Value)
{
    /// <summary>In the event type's question order; answers to questions removed since keep their id as label.</summary>
    public static IReadOnlyList<AnswerJson> Of(Booking booking, EventType? eventType)
    {
        var questions = eventType?.Questions ?? [];
        return [.. booking.Answers
            .OrderBy(a => questions.ToList().FindIndex(q => q.Id == a.Key) is var i && i >= 0 ? i : int.MaxValue)
            .Select(a => new AnswerJson(a.Key, questions.FirstOrDefault(q => q.Id == a.Key)?.Label ?? a.Key, a.Value))];
    }
}
