using OpenCalendly.Host.Health;

namespace OpenCalendly.Host.Tests;

public sealed class IdleMemoryTrimTests
{
    private const long MB = 1024 * 1024;

    private static BusySpells Spells() => new(quietBytes: 10 * MB, busyBytes: 256 * MB);

    [Fact]
    public void A_host_that_was_never_busy_is_never_trimmed()
    {
        var spells = Spells();
        foreach (var allocated in new[] { 2 * MB, 9 * MB, 0, 50 * MB, 1 * MB, 3 * MB })
            spells.EndsWith(allocated).ShouldBeFalse();
    }

    [Fact]
    public void The_first_quiet_interval_after_a_busy_spell_trims_once()
    {
        var spells = Spells();
        spells.EndsWith(300 * MB).ShouldBeFalse();
        spells.EndsWith(120 * MB).ShouldBeFalse();
        spells.EndsWith(4 * MB).ShouldBeTrue();
        spells.EndsWith(4 * MB).ShouldBeFalse();
        spells.EndsWith(0).ShouldBeFalse();
    }

    [Fact]
    public void A_spell_of_moderate_intervals_counts_once_it_adds_up()
    {
        var spells = Spells();
        for (var i = 0; i < 20; i++) spells.EndsWith(12 * MB).ShouldBeFalse();   // 240 MB: not yet a spell
        spells.EndsWith(1 * MB).ShouldBeFalse();
        spells.EndsWith(20 * MB).ShouldBeFalse();                                   // 261 MB since the start
        spells.EndsWith(1 * MB).ShouldBeTrue();
    }

    [Fact]
    public void After_a_trim_the_next_spell_is_counted_afresh()
    {
        var spells = Spells();
        spells.EndsWith(400 * MB).ShouldBeFalse();
        spells.EndsWith(0).ShouldBeTrue();
        spells.EndsWith(100 * MB).ShouldBeFalse();
        spells.EndsWith(0).ShouldBeFalse();
        spells.EndsWith(200 * MB).ShouldBeFalse();
        spells.EndsWith(0).ShouldBeTrue();
    }
}
