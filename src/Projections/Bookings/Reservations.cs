using Npgsql;
using NodaTime;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.EventTypes;

namespace OpenCalendly.Projections.Bookings;

/// <summary>
/// A person's taken time: their bookings (widened by buffers) and the busy time of their calendars.
/// <c>Bookings</c> holds the bookings the reservations belong to.
/// </summary>
public sealed record TakenTime(IReadOnlyList<TimeInterval> Reserved, IReadOnlyList<TimeInterval> Busy, IReadOnlySet<Guid> Bookings)
{
    /// <summary>What of it overlaps <c>[from, to)</c> (the reading query's own condition).</summary>
    public TakenTime Within(Instant from, Instant to) => new(
        [.. Reserved.Where(r => r.End > from && r.Start < to)], [.. Busy.Where(b => b.End > from && b.Start < to)], Bookings);
}

/// <summary>Reads the reservation and busy-window tables: what of a person's time is already taken.</summary>
public static class Reservations
{
    private static readonly string Sql =
        $"select lower(during), upper(during), false, booking_id from {StoreConfiguration.Reservations.QualifiedName} " +
        "where user_id = $1 and active and during && tstzrange($2, $3, '[)') and booking_id <> $4 " +
        "union all " +
        $"select lower(during), upper(during), true, null from {StoreConfiguration.BusyWindows.QualifiedName} " +
        "where user_id = $1 and during && tstzrange($2, $3, '[)') " +
        "order by 1";

    /// <summary>
    /// Active reservations (already widened by their buffers) and synced busy windows of <paramref name="userId"/>
    /// overlapping <c>[from, to)</c>, each sorted, in one round trip.
    /// </summary>
    /// <param name="ignoring">A booking whose own time doesn't count (the one being rescheduled).</param>
    public static async Task<TakenTime> OfAsync(
        NpgsqlConnection connection, Guid userId, Instant from, Instant to, CancellationToken ct, Guid? ignoring = null)
    {
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = userId });
        command.Parameters.Add(new NpgsqlParameter { Value = from.ToDateTimeOffset() });
        command.Parameters.Add(new NpgsqlParameter { Value = to.ToDateTimeOffset() });
        command.Parameters.Add(new NpgsqlParameter { Value = ignoring ?? Guid.Empty });
        List<TimeInterval> reserved = [], busy = [];
        HashSet<Guid> bookings = [];
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var interval = new TimeInterval(
                Instant.FromDateTimeOffset(reader.GetFieldValue<DateTimeOffset>(0)),
                Instant.FromDateTimeOffset(reader.GetFieldValue<DateTimeOffset>(1)));
            if (reader.GetBoolean(2)) busy.Add(interval);
            else
            {
                reserved.Add(interval);
                bookings.Add(reader.GetGuid(3));
            }
        }
        return new TakenTime(reserved, busy, bookings);
    }

    /// <summary>
    /// Serializes bookings of the same people: racing transactions queue here for a moment and then see
    /// each other's rows, instead of deadlocking on each other's uncommitted inserts. Sorted, so two
    /// multi-person bookings always lock in the same order. A counted event type (capped, or a team's) is locked
    /// first, whoever holds its bookings (a team's members lock apart), so the cap counted inside the transaction is
    /// still the cap at commit, and the team's assignment tally (a document the inline projection reads and rewrites at
    /// commit) loses no increment to a concurrent booking of another member; always before any person, so no two
    /// bookings take these locks in opposite orders.
    /// </summary>
    /// <param name="giveUp">
    /// Asked while someone else holds a lock: true stops waiting (the locks taken so far are held until the
    /// transaction ends) and the answer is false. A crowd racing for one slot then leaves as soon as the winner
    /// commits, instead of queueing to be refused one by one.
    /// </param>
    public static async Task<bool> LockAsync(
        NpgsqlConnection connection, EventType eventType, IEnumerable<Guid> userIds, CancellationToken ct, Func<Task<bool>>? giveUp = null)
    {
        foreach (var key in LockKeys(eventType, userIds))
        {
            if (giveUp is null) await AdvisoryLocks.TakeAsync(connection, key, ct);
            else if (!await AdvisoryLocks.TakeUnlessAsync(connection, key, giveUp, ct)) return false;
        }
        return true;
    }

    /// <summary>
    /// The advisory-lock keys of a booking of <paramref name="userIds"/> for <paramref name="eventType"/>, in the one
    /// order everyone takes them: a counted event type's key first, then each person's, sorted.
    /// </summary>
    public static IReadOnlyList<LockKey> LockKeys(EventType eventType, IEnumerable<Guid> userIds)
    {
        var keys = userIds.Select(userId => LockKey.Of(LockKind.Person, userId)).Distinct().Order();
        var counted = eventType.Controls.HasCaps || eventType.TeamId is not null;
        return counted ? [LockKey.Of(LockKind.CountedEventType, eventType.Id), .. keys] : [.. keys];
    }
}
