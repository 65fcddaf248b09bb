using System.ComponentModel;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using OpenCalendly.Host.Availability;
using OpenCalendly.Host.Identity;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Bench.Caching;

/// <summary>The same page, declared immutable: what HybridCache would cost if the documents it holds were immutable.</summary>
[ImmutableObject(true)]
public sealed record ImmutablePage(PublicPageCache.Page Page);

/// <summary>
/// One cache hit for a public page (the organizer, the event type and the schedule, with a year's holidays imported):
/// the read every availability request makes before it computes slots.
/// </summary>
[MemoryDiagnoser]
public class PageCacheBenchmarks
{
    private const string Key = "PublicPageCache:ada:intro-call";
    private readonly (string, string, string) _memoryKey = (nameof(PublicPageCache), "ada", "intro-call");
    private IMemoryCache _memory = null!;
    private HybridCache _hybrid = null!;
    private ServiceProvider _services = null!;
    private PublicPageCache.Page _page = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var now = DateTimeOffset.Parse("2027-01-04T09:00:00Z");
        var organizer = new User { Id = Guid.CreateVersion7(), Email = "ada@example.com", Username = "ada", DisplayName = "Ada Lovelace", Timezone = "Europe/Berlin", CreatedAt = now };
        var eventType = new EventType
        {
            Id = Guid.CreateVersion7(), OrganizerId = organizer.Id, Name = "Intro call", Slug = "intro-call", DurationMinutes = 30,
            LocationType = LocationType.Video, LocationValue = "https://meet.example.com/ada", IsActive = true, CreatedAt = now, UpdatedAt = now,
            Scope = EventType.PersonalScope(organizer.Id),
            Questions = [new Question("company", "Company", true, null), new Question("topic", "What shall we talk about?", false, "A line or two")],
            Reminders = [new Reminder(24 * 60, ReminderRecipients.Both), new Reminder(60, ReminderRecipients.Invitee)],
        };
        var schedule = Schedule.WorkingWeek(organizer.Id, now);
        schedule.Overrides = [.. Enumerable.Range(0, 3).Select(i => new ScheduleOverride(Guid.CreateVersion7(), now.AddDays(7 * i), now.AddDays(7 * i).AddHours(3), false, "Dentist", now))];
        schedule.TimeOff = [.. Enumerable.Range(0, 12).Select(i => new ScheduleTimeOff(Guid.CreateVersion7(), DateOnly.FromDateTime(now.UtcDateTime).AddDays(30 * i), null, null, null, null, "Holiday " + i, now))];
        _page = new PublicPageCache.Page(organizer, eventType, schedule);

        var services = new ServiceCollection();
        services.AddMemoryCache();
        services.AddHybridCache();
        _services = services.BuildServiceProvider();
        _memory = _services.GetRequiredService<IMemoryCache>();
        _hybrid = _services.GetRequiredService<HybridCache>();
        _memory.Set(_memoryKey, _page, TimeSpan.FromMinutes(10));
        var entry = new HybridCacheEntryOptions { Expiration = TimeSpan.FromMinutes(10), LocalCacheExpiration = TimeSpan.FromMinutes(10) };
        await _hybrid.SetAsync(Key, _page, entry);
        await _hybrid.SetAsync(Key + ":immutable", new ImmutablePage(_page), entry);
    }

    [GlobalCleanup]
    public void Cleanup() => _services.Dispose();

    [Benchmark(Baseline = true, Description = "IMemoryCache hit (PublicPageCache)")]
    public PublicPageCache.Page? Memory() => _memory.TryGetValue(_memoryKey, out PublicPageCache.Page? page) ? page : null;

    [Benchmark(Description = "HybridCache hit, the documents as they are (a copy per read)")]
    public ValueTask<PublicPageCache.Page> Hybrid() =>
        _hybrid.GetOrCreateAsync(Key, _ => ValueTask.FromResult(_page));

    [Benchmark(Description = "HybridCache hit, were the documents immutable")]
    public ValueTask<ImmutablePage> HybridImmutable() =>
        _hybrid.GetOrCreateAsync(Key + ":immutable", _ => ValueTask.FromResult(new ImmutablePage(_page)));
}
