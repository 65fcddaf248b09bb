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

    private static RoundRobinSettings Weighted(RoundRobinStrategy strategy, params (Guid Id, int Weight, int Priority)[] members) =>
        new(strategy, [.. members.Select(m => new MemberWeighting(m.Id, m.Weight, m.Priority))]);

    /// <summary>Assigns <paramref name="bookings"/> slots in turn, each free for every member, and counts who took them.</summary>
    private static Dictionary<Guid, int> Assign(int bookings, RoundRobinSettings settings, params Guid[] members)
    {
        var tallies = new Dictionary<Guid, AssignmentTally>();
        var at = DateTimeOffset.Parse("2030-01-01T00:00:00Z");
        for (var i = 0; i < bookings; i++)
        {
            var first = RoundRobin.Order(members, tallies, settings)[0];
            tallies[first] = new AssignmentTally(tallies.GetValueOrDefault(first).Count + 1, at = at.AddMinutes(1));
        }
        return tallies.ToDictionary(t => t.Key, t => t.Value.Count);
    }

    [Fact]
    public void fair_round_robin_assigns_in_proportion_to_weight()
    {
        var counts = Assign(400, Weighted(RoundRobinStrategy.Fair, (A, 300, 2), (B, 100, 2)), A, B);

        counts[A].ShouldBe(300);
        counts[B].ShouldBe(100);
    }

    [Fact]
    public void members_left_unlisted_weigh_the_default_and_a_weight_of_zero_is_never_assigned()
    {
        var settings = Weighted(RoundRobinStrategy.Fair, (A, 200, 2), (C, 0, 4));

        var counts = Assign(30, settings, A, B, C);

        counts[A].ShouldBe(20);
        counts[B].ShouldBe(10);
        counts.ShouldNotContainKey(C);
        RoundRobin.Order([C], new Dictionary<Guid, AssignmentTally>(), settings).ShouldBeEmpty();
    }

    [Fact]
    public void a_higher_priority_goes_first_under_either_strategy_whatever_its_count()
    {
        var tallies = new Dictionary<Guid, AssignmentTally> { [A] = new(50, null), [B] = new(0, null), [C] = new(0, null) };

        RoundRobin.Order([A, B, C], tallies, Weighted(RoundRobinStrategy.Fair, (A, 100, 4), (B, 100, 1))).ShouldBe([A, C, B]);
        RoundRobin.Order([A, B, C], tallies, Weighted(RoundRobinStrategy.Available, (A, 100, 4), (B, 100, 1))).ShouldBe([A, C, B]);
    }

    [Fact]
    public void available_ignores_counts_and_gives_ties_to_the_least_recently_assigned()
    {
        var now = DateTimeOffset.Parse("2030-01-01T12:00:00Z");
        var tallies = new Dictionary<Guid, AssignmentTally> { [A] = new(9, now.AddHours(-2)), [B] = new(0, now), [C] = new(1, now.AddHours(-1)) };

        RoundRobin.Order([A, B, C], tallies, RoundRobinSettings.Default with { Strategy = RoundRobinStrategy.Available }).ShouldBe([A, C, B]);
        RoundRobin.Order([A, B, C], tallies).ShouldBe([B, C, A]);
    }

    [Fact]
    public void a_round_robin_pool_leaves_out_members_weighted_zero_and_a_collective_one_keeps_them()
    {
        var settings = Weighted(RoundRobinStrategy.Fair, (B, 0, 2));

        TeamPool.Of(new EventType { Mode = TeamMode.RoundRobin, RoundRobin = settings }, [A, B]).ShouldBe([A]);
        TeamPool.Of(new EventType { Mode = TeamMode.Collective, RoundRobin = settings }, [A, B]).ShouldBe([A, B]);
    }

    [Fact]
    public void a_moved_booking_is_assigned_without_counting_its_own_assignment()
    {
        var now = DateTimeOffset.Parse("2030-01-01T12:00:00Z");
        var tallies = new Dictionary<Guid, AssignmentTally> { [A] = new(2, now.AddHours(-1)), [B] = new(1, now) };
        var slot = Offered(A, B);
        var eventType = new EventType { Mode = TeamMode.RoundRobin };

        // Counted as it stands, A holds one more than B; without the booking being moved, A's two become one.
        BookTeamSlot.Assign(eventType, slot, 2, tallies, [B])!.Single().MemberId.ShouldBe(B);
        BookTeamSlot.Assign(eventType, slot, 2, tallies, [A])!.Single().MemberId.ShouldBe(A);
        RoundRobin.Releasing(tallies, [A, C])[A].ShouldBe(new AssignmentTally(1, now.AddHours(-1)));
    }

    [Fact]
    public void revising_a_team_event_types_weights_is_one_event_and_the_same_weights_are_none()
    {
        var teamId = Guid.NewGuid();
        var eventType = EventType.From(new TeamEventTypeCreated(Guid.NewGuid(), A, new TeamSettings(teamId, TeamMode.RoundRobin, []),
            new EventTypeDetails("Demo", "demo", 30, LocationType.Video, null, []), DateTimeOffset.UnixEpoch));
        var weighted = Weighted(RoundRobinStrategy.Fair, (B, 300, 2));
        var now = DateTimeOffset.UnixEpoch.AddDays(1);

        var events = ReviseEventType.Decide(eventType, new EventTypeChange(RoundRobin: weighted), now);

        events.ShouldBe([new TeamSettingsRevised(eventType.Id, A, new TeamSettings(teamId, TeamMode.RoundRobin, eventType.RequiredMemberIds, weighted), now)],
            "one event, with the whole of the team settings");
        eventType.Evolve(events);
        eventType.EffectiveRoundRobin.For(B).Weight.ShouldBe(300);
        ReviseEventType.Decide(eventType, new EventTypeChange(RoundRobin: Weighted(RoundRobinStrategy.Fair, (B, 300, 2))), now).ShouldBeEmpty();
        ReviseEventType.Decide(eventType, new EventTypeChange(RequiredMemberIds: []), now).ShouldBeEmpty();
    }
}
