using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Scheduling.Tests;

public sealed class ReviseEventTypeTests
{
    private static readonly DateTimeOffset Now = new(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static EventType Existing() => EventType.From(new EventTypeCreated(Guid.NewGuid(), Guid.NewGuid(),
        new EventTypeDetails("Intro", "intro", 30, LocationType.Video, "https://meet", []), Now));

    [Fact]
    public void a_change_of_details_becomes_one_revision_carrying_the_whole_new_details()
    {
        var current = Existing();

        var events = ReviseEventType.Decide(current, new EventTypeChange(Name: "Intro call", DurationMinutes: 45), Now);

        var revised = events.ShouldHaveSingleItem().ShouldBeOfType<EventTypeDetailsRevised>();
        revised.Details.ShouldBe(current.Details with { Name = "Intro call", DurationMinutes = 45, Questions = current.Questions });
    }

    [Fact]
    public void repeating_the_current_values_appends_nothing()
    {
        var current = Existing();

        ReviseEventType.Decide(current, new EventTypeChange(Name: "Intro", IsActive: true), Now).ShouldBeEmpty();
    }

    [Fact]
    public void deactivating_is_its_own_event_and_clearing_the_location_value_is_a_revision()
    {
        var events = ReviseEventType.Decide(Existing(), new EventTypeChange(ClearLocationValue: true, IsActive: false), Now);

        events.Length.ShouldBe(2);
        events[0].ShouldBeOfType<EventTypeDetailsRevised>().Details.LocationValue.ShouldBeNull();
        events[1].ShouldBeOfType<EventTypeDeactivated>();
    }
}
