using NodaTime;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.EventTypes;
using OpenCalendly.Scheduling.Teams;
using static OpenCalendly.Scheduling.Tests.SlotQueries;

namespace OpenCalendly.Scheduling.Tests;

public sealed class TeamDecisionTests
{
    private static readonly Guid A = Guid.Parse("00000000-0000-0000-0000-00000000000a");
    private static readonly Guid B = Guid.Parse("00000000-0000-0000-0000-00000000000b");
    private static readonly Guid C = Guid.Parse("00000000-0000-0000-0000-00000000000c");

    [Fact]
    public void round_robin_prefers_the_fewest_assignments()
    {
        var tallies = new Dictionary<Guid, AssignmentTally> { [A] = new(3, null), [B] = new(1, null), [C] = new(2, null) };

        RoundRobin.Order([A, B, C], tallies).ShouldBe([B, C, A]);
    }

    [Fact]
    public void ties_go_to_the_least_recently_assigned_then_to_the_id()
    {
        var now = DateTimeOffset.Parse("2030-01-01T12:00:00Z");
        var tallies = new Dictionary<Guid, AssignmentTally>
        {
            [A] = new(1, now), [B] = new(1, now.AddHours(-1)), [C] = new(0, null),
        };

        RoundRobin.Order([A, B, C], tallies).ShouldBe([C, B, A]);
        RoundRobin.Order([B, A], new Dictionary<Guid, AssignmentTally>()).ShouldBe([A, B]);
    }

    [Fact]
    public void only_free_members_are_ordered()
    {
        RoundRobin.Order([C, A], new Dictionary<Guid, AssignmentTally> { [B] = new(0, null) }).ShouldBe([A, C]);
    }

    private static IReadOnlyList<Slot> Slots(string from, string to) =>
        SlotCalculator.Compute(Query("UTC", [Rule(IsoDayOfWeek.Monday, from, to)], "2030-04-01T00:00:00Z", 1));

    [Fact]
    public void round_robin_merges_starts_and_lists_every_free_member()
    {
        var merged = TeamSlots.Merge(TeamMode.RoundRobin, new Dictionary<Guid, IReadOnlyList<Slot>>
        {
            [A] = Slots("09:00", "10:00"), [B] = Slots("09:30", "10:30"),
        });

        merged.Select(s => s.Start).ShouldBe([.. new[] { "09:00", "09:15", "09:30", "09:45", "10:00" }.Select(t => At($"2030-04-01T{t}:00Z"))]);
        merged.Single(s => s.Start == At("2030-04-01T09:30:00Z")).Members.Select(m => m.MemberId).ShouldBe([A, B]);
        merged.Single(s => s.Start == At("2030-04-01T10:00:00Z")).Members.Select(m => m.MemberId).ShouldBe([B]);
    }

    [Fact]
    public void collective_keeps_only_starts_every_member_has()
    {
        var merged = TeamSlots.Merge(TeamMode.Collective, new Dictionary<Guid, IReadOnlyList<Slot>>
        {
            [A] = Slots("09:00", "10:00"), [B] = Slots("09:30", "10:30"), [C] = Slots("09:00", "12:00"),
        });

        merged.Select(s => s.Start).ShouldBe([At("2030-04-01T09:30:00Z")]);
        merged.Single().Members.Count.ShouldBe(3);
    }

    [Fact]
    public void collective_with_a_member_without_slots_offers_nothing()
    {
        TeamSlots.Merge(TeamMode.Collective, new Dictionary<Guid, IReadOnlyList<Slot>> { [A] = Slots("09:00", "10:00"), [B] = [] })
            .ShouldBeEmpty();
    }

    private static TeamSlot Offered(params Guid[] free)
    {
        var slot = Slots("09:00", "09:30")[0];
        return new TeamSlot(slot.Start, slot.End, [.. free.Select(id => new MemberSlot(id, slot))]);
    }

    [Fact]
    public void given_required_members_the_pool_is_those_still_active_else_the_whole_active_team()
    {
        TeamPool.Of(new EventType { RequiredMemberIds = [A, C] }, [A, B]).ShouldBe([A]);
        TeamPool.Of(new EventType(), [A, B]).ShouldBe([A, B]);
    }

    [Fact]
    public void round_robin_tries_at_most_three_free_members_one_at_a_time_in_fairness_order()
    {
        var d = Guid.Parse("00000000-0000-0000-0000-00000000000d");
        var tallies = new Dictionary<Guid, AssignmentTally> { [A] = new(5, null), [B] = new(0, null), [C] = new(1, null), [d] = new(2, null) };

        BookTeamSlot.Attempts(new EventType { Mode = TeamMode.RoundRobin }, [A, B, C, d], Offered(A, B, C, d), tallies)
            .ShouldBe([[B], [C], [d]]);
    }

    [Fact]
    public void collective_makes_one_attempt_with_the_whole_pool()
    {
        BookTeamSlot.Attempts(new EventType { Mode = TeamMode.Collective }, [A, B], Offered(A, B), new Dictionary<Guid, AssignmentTally>())
            .ShouldBe([[A, B]]);
    }
}
