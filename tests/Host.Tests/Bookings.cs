namespace OpenCalendly.Host.Tests;

public static class Bookings
{
    public static object Request(
        Organizer organizer, string slug, string startsAt, string inviteeEmail = "pat@example.com", object? answers = null, string inviteeName = "Pat Lee") => new
    {
        username = organizer.Username, eventSlug = slug, startsAt, timezone = "Europe/Paris",
        inviteeName, inviteeEmail, answers = answers ?? new { },
    };

    /// <summary>The starts of the slots an invitee is offered on <paramref name="day"/> (UTC), as the booking page asks for them.</summary>
    public static async Task<string[]> SlotStarts(this HttpClient http, Organizer organizer, string slug, string day) =>
        [.. (await http.Get($"/v0/users/{organizer.Username}/event-types/{slug}/availability?start={day}T00:00:00Z&days=1")).ShouldBe(200)
            .Json["slots"]!.AsArray().Select(s => s!["startsAt"]!.GetValue<string>())];
}
