namespace OpenCalendly.Host.Tests;

/// <summary>A signed-in organizer created for one test.</summary>
public sealed record Organizer(string Id, string Username, string Email, string Session);

public static class Organizers
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    public static async Task<Organizer> SignUp(this HttpClient http, string timezone = "UTC")
    {
        var username = Unique("org");
        var email = $"{username}@example.com";
        var link = (await http.Post("/v0/auth/magic-link", new { email, username, displayName = "Org " + username, timezone })).ShouldBe(200);
        var verified = (await http.Post("/v0/auth/verify", new { token = link.Json["magicLinkToken"]!.GetValue<string>() })).ShouldBe(200);
        return new Organizer(verified.Json["user"]!["id"]!.GetValue<string>(), username, email, verified.Json["sessionToken"]!.GetValue<string>());
    }

    /// <summary>Clears the working week a new organizer starts with (Monday to Friday, 09:00–17:00): nobody can book them.</summary>
    public static async Task WithoutHours(this HttpClient http, Organizer organizer) =>
        (await http.Put("/v0/me/availability/rules", new { rules = Array.Empty<object>() }, organizer.Session)).ShouldBe(200);

    /// <summary>An organizer with weekday hours and one event type, ready to be booked.</summary>
    public static async Task<(Organizer Organizer, string Slug, string EventTypeId)> Bookable(
        this HttpClient http, string timezone = "UTC", int durationMinutes = 30, int bufferBefore = 0, int bufferAfter = 0, object[]? questions = null)
    {
        var organizer = await http.SignUp(timezone);
        var rules = Enumerable.Range(0, 7).Select(day => new
        {
            dayOfWeek = day, startMinute = 9 * 60, endMinute = 17 * 60, bufferBeforeMinutes = bufferBefore, bufferAfterMinutes = bufferAfter,
        });
        (await http.Put("/v0/me/availability/rules", new { rules }, organizer.Session)).ShouldBe(200);
        var slug = Unique("call");
        var created = (await http.Post("/v0/event-types", new
        {
            name = "Call", slug, durationMinutes, locationType = "video", questions = questions ?? [],
        }, organizer.Session)).ShouldBe(200);
        return (organizer, slug, created.Json["eventType"]!["id"]!.GetValue<string>());
    }

    /// <summary>A team owned by a fresh organizer.</summary>
    public static async Task<(Organizer Owner, string TeamId, string TeamSlug)> Team(this HttpClient http)
    {
        var owner = await http.SignUp();
        var slug = Unique("team");
        var team = (await http.Post("/v0/teams", new { name = "Sales", slug }, owner.Session)).ShouldBe(200).Json["team"]!;
        return (owner, team["id"]!.GetValue<string>(), slug);
    }

    /// <summary>A fresh member of the team, available every day from <paramref name="startMinute"/> to <paramref name="endMinute"/>.</summary>
    public static async Task<Organizer> Member(this HttpClient http, string teamId, Organizer owner, string timezone = "UTC", int startMinute = 540, int endMinute = 1020)
    {
        var member = await http.SignUp(timezone);
        var rules = Enumerable.Range(0, 7).Select(day => new { dayOfWeek = day, startMinute, endMinute });
        (await http.Put("/v0/me/availability/rules", new { rules }, member.Session)).ShouldBe(200);
        await http.Join(teamId, owner, member);
        return member;
    }

    /// <summary>The owner invites <paramref name="member"/> by username and the member accepts.</summary>
    public static async Task Join(this HttpClient http, string teamId, Organizer owner, Organizer member)
    {
        var invited = (await http.Post($"/v0/teams/{teamId}/members", new { username = member.Username, role = "member" }, owner.Session)).ShouldBe(200);
        (await http.Post($"/v0/me/team-invitations/{invited.Json["member"]!["id"]!.GetValue<string>()}/accept", new { }, member.Session)).ShouldBe(200);
    }
}
