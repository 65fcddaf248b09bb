using OpenCalendly.Host.Bookings;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Host.Tests;

public sealed class BookingTurnsTests
{
    private readonly BookingTurns _turns = new();
    private readonly EventType _eventType = new() { Id = Guid.NewGuid() };
    private readonly Guid _alice = Guid.NewGuid(), _bob = Guid.NewGuid();

    private static Task<bool> NeverAsked() => throw new InvalidOperationException("giveUp asked without waiting");

    [Fact]
    public async Task a_request_that_did_not_wait_is_not_asked_to_give_up()
    {
        using var turn = await _turns.TakeUnlessAsync(_eventType, [_alice], NeverAsked, CancellationToken.None);
        turn.ShouldNotBeNull();
    }

    [Fact]
    public async Task the_next_request_for_the_same_person_waits_for_the_first_then_gives_up_if_asked()
    {
        var first = await _turns.TakeAsync(_eventType, [_alice], CancellationToken.None);
        var asked = 0;
        var second = _turns.TakeUnlessAsync(_eventType, [_alice], () => { asked++; return Task.FromResult(true); }, CancellationToken.None);
        await Task.Delay(50);
        second.IsCompleted.ShouldBeFalse();

        first.Dispose();
        (await second).ShouldBeNull();
        asked.ShouldBe(1);
        _turns.Busy.ShouldBe(0);
    }

    [Fact]
    public async Task a_waiting_request_that_need_not_give_up_gets_the_turn_and_holds_it()
    {
        var first = await _turns.TakeAsync(_eventType, [_alice], CancellationToken.None);
        var second = _turns.TakeUnlessAsync(_eventType, [_alice], () => Task.FromResult(false), CancellationToken.None);
        first.Dispose();
        using var turn = (await second).ShouldNotBeNull();

        var third = _turns.TakeAsync(_eventType, [_alice], CancellationToken.None);
        await Task.Delay(50);
        third.IsCompleted.ShouldBeFalse();
        turn.Dispose();
        (await third).Dispose();
        _turns.Busy.ShouldBe(0);
    }

    [Fact]
    public async Task different_people_do_not_wait_for_each_other_and_a_shared_person_serializes()
    {
        using var alice = await _turns.TakeAsync(_eventType, [_alice], CancellationToken.None);
        var bob = _turns.TakeAsync(_eventType, [_bob], CancellationToken.None);
        bob.IsCompletedSuccessfully.ShouldBeTrue();
        (await bob).Dispose();

        var both = _turns.TakeAsync(_eventType, [_bob, _alice], CancellationToken.None);
        await Task.Delay(50);
        both.IsCompleted.ShouldBeFalse();
        alice.Dispose();
        (await both).Dispose();
        _turns.Busy.ShouldBe(0);
    }

    [Fact]
    public async Task a_request_canceled_while_waiting_leaves_nothing_behind()
    {
        var first = await _turns.TakeAsync(_eventType, [_alice], CancellationToken.None);
        using var abort = new CancellationTokenSource();
        var second = _turns.TakeAsync(_eventType, [_alice], abort.Token);
        abort.Cancel();
        await Should.ThrowAsync<OperationCanceledException>(() => second);
        _turns.Busy.ShouldBe(1);

        first.Dispose();
        _turns.Busy.ShouldBe(0);
        (await _turns.TakeAsync(_eventType, [_alice], CancellationToken.None)).Dispose();
    }
}
