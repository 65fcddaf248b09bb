using NodaTime;
using Npgsql;
using OpenCalendly.Projections.Bookings;

namespace OpenCalendly.Host.Availability;

/// <summary>Where slot computations read people's taken time: the tables themselves, or the <see cref="TakenTimeCache"/>.</summary>
public interface ITakenTimeSource
{
    Task<TakenTime> OfAsync(Guid userId, Instant from, Instant to, CancellationToken ct);
}

/// <summary>The tables, read on <paramref name="Connection"/> (inside a booking's transaction, under its locks).</summary>
/// <param name="Ignoring">A booking whose own time doesn't count (the one being rescheduled).</param>
public sealed record TakenTimeIn(NpgsqlConnection Connection, Guid? Ignoring = null) : ITakenTimeSource
{
    public Task<TakenTime> OfAsync(Guid userId, Instant from, Instant to, CancellationToken ct) =>
        Reservations.OfAsync(Connection, userId, from, to, ct, Ignoring);
}
