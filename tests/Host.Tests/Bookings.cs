namespace OpenCalendly.Host.Tests;

public static class Bookings
{
    public static object Request(Organizer organizer, string slug, string startsAt, string inviteeEmail = "pat@example.com", object? answers = null) => new
    {
        username = organizer.Username, eventSlug = slug, startsAt, timezone = "Europe/Paris",
        inviteeName = "Pat Lee", inviteeEmail, answers = answers ?? new { },
    };
}
