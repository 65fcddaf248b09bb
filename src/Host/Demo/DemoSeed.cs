using Marten;
using OpenCalendly.Host.Availability;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Host.Demo;

/// <summary>
/// With <c>Demo:Seed=true</c>, makes sure the demo organizer, their event type and weekly hours exist.
/// Idempotent: it only adds what is missing, so re-running the server never duplicates anything.
/// </summary>
public sealed class DemoSeed(
    IDocumentStore store, IConfiguration config, TimeProvider clock, IHostApplicationLifetime lifetime, ILogger<DemoSeed> logger) : IHostedService
{
    public const string Username = "demo";
    public const string Email = "demo@opencalendly.local";
    public const string EventSlug = "intro-call";

    public async Task StartAsync(CancellationToken ct)
    {
        if (!config.GetValue<bool>("Demo:Seed")) return;
        var now = clock.GetUtcNow();
        await using var session = store.LightweightSession();

        var user = await session.Query<User>().FirstOrDefaultAsync(u => u.Username == Username, ct);
        if (user is null)
        {
            user = new User { Id = Guid.CreateVersion7(), Email = Email, Username = Username, DisplayName = "Demo Organizer", Timezone = "Europe/London", CreatedAt = now };
            session.Store(user);
        }

        if (await session.LoadAsync<Schedule>(user.Id, ct) is null)
            session.Store(new Schedule
            {
                Id = user.Id,
                Rules = [.. Enumerable.Range(1, 5).Select(day => new ScheduleRule(Guid.CreateVersion7(), day, 9 * 60, 17 * 60, 0, 0, now))],
            });

        var scope = EventType.PersonalScope(user.Id);
        if (!await session.Query<EventType>().AnyAsync(e => e.Scope == scope && e.Slug == EventSlug, ct))
        {
            var created = new EventTypeCreated(Guid.CreateVersion7(), user.Id,
                new EventTypeDetails("Intro call", EventSlug, 30, LocationType.Video, "https://meet.example.com/demo",
                [
                    new Question("company", "Company", Required: true, Placeholder: "Where do you work?"),
                    new Question("topic", "What would you like to talk about?", Required: false, Placeholder: null),
                ]),
                now);
            session.Events.StartStream<EventType>(created.EventTypeId, created);
        }

        string? signInToken = null;
        if (config.GetValue<bool>("Demo:PrintSignInLink"))
        {
            signInToken = Tokens.New();
            session.Store(new MagicLink
            {
                Id = Tokens.Hash(signInToken), Email = user.Email, UserId = user.Id,
                CreatedAt = now, ExpiresAt = now + RequestMagicLinkEndpoint.LinkLifetime,
            });
        }

        await session.SaveChangesAsync(ct);
        logger.LogInformation("Demo data ready: organizer '{Username}', event type '{Slug}'.", Username, EventSlug);
        if (signInToken is not null) lifetime.ApplicationStarted.Register(() => PrintWelcome(signInToken));
    }

    private void PrintWelcome(string signInToken)
    {
        var baseUrl = (config["App:PublicBaseUrl"] ?? "http://127.0.0.1:5080").TrimEnd('/');
        Console.WriteLine($$"""

            OpenCalendly is running at {{baseUrl}}
              Demo booking page:    {{baseUrl}}/{{Username}}/{{EventSlug}}
              Console:              {{baseUrl}}/organizer
              API reference:        {{baseUrl}}/docs
              Demo availability:    {{baseUrl}}/v0/users/{{Username}}/event-types/{{EventSlug}}/availability?timezone=Europe/London
              Sign in as '{{Username}}' (opens the console; link valid 15 minutes, works once):
                {{baseUrl}}/auth/verify?token={{signInToken}}
                curl -s -X POST {{baseUrl}}/v0/auth/verify -H 'Content-Type: application/json' -d '{"token":"{{signInToken}}"}'

            """);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
