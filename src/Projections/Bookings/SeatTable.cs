using Marten;
using Npgsql;
using NodaTime;
using OpenCalendly.Scheduling.Availability;
using OpenCalendly.Scheduling.Bookings;

namespace OpenCalendly.Projections.Bookings;

/// <summary>
/// The seats taken at seated slots, one row per seat booking. Two guards hold whatever the application does: an active seat
/// number is held by one booking per slot, and a number lies between 1 and the slot's seats, so a slot never seats more
/// invitees than it has seats. The organizer's time is the reservation table's, under the slot's id, held while any seat is.
/// </summary>
public sealed class SeatTable(string schema) : ExplicitTable(schema, TableName)
{
    public const string TableName = "seats";
    public const string OneHolderIndex = "seats_one_holder";

    protected override string CreateSql => $"""
        CREATE TABLE IF NOT EXISTS {QualifiedName} (
            booking_id uuid PRIMARY KEY,
            slot_id uuid NOT NULL,
            event_type_id uuid NOT NULL,
            starts_at timestamptz NOT NULL,
            ends_at timestamptz NOT NULL,
            buffer_before int NOT NULL,
            buffer_after int NOT NULL,
            seat_no int NOT NULL,
            capacity int NOT NULL,
            active boolean NOT NULL DEFAULT true,
            CONSTRAINT seats_within_capacity CHECK (seat_no BETWEEN 1 AND capacity)
        );
        CREATE UNIQUE INDEX IF NOT EXISTS {OneHolderIndex} ON {QualifiedName} (slot_id, seat_no) WHERE active;
        CREATE INDEX IF NOT EXISTS seats_by_event_type ON {QualifiedName} (event_type_id, starts_at) WHERE active;
        """;
}

/// <summary>Reads the seat table: the seated slots of an event type that have started filling.</summary>
public static class SeatReads
{
    private static readonly string Sql =
        $"select slot_id, min(starts_at), min(ends_at), min(buffer_before), min(buffer_after), array_agg(seat_no) from {StoreConfiguration.Seats.QualifiedName} " +
        "where event_type_id = $1 and active and starts_at >= $2 and starts_at < $3 group by slot_id order by 2";

    /// <summary>The seated slots of <paramref name="eventTypeId"/> starting in <c>[from, to)</c> with a seat taken, and the seats taken.</summary>
    public static async Task<IReadOnlyList<SeatedSlot>> FillingAsync(NpgsqlConnection connection, Guid eventTypeId, Instant from, Instant to, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(Sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = eventTypeId });
        command.Parameters.Add(new NpgsqlParameter { Value = from.ToDateTimeOffset() });
        command.Parameters.Add(new NpgsqlParameter { Value = to.ToDateTimeOffset() });
        var slots = new List<SeatedSlot>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            slots.Add(new SeatedSlot(reader.GetGuid(0),
                new Slot(Instant.FromDateTimeOffset(reader.GetFieldValue<DateTimeOffset>(1)), Instant.FromDateTimeOffset(reader.GetFieldValue<DateTimeOffset>(2)),
                    reader.GetInt32(3), reader.GetInt32(4)),
                reader.GetFieldValue<int[]>(5)));
        return slots;
    }

    /// <summary>The seated slot of <paramref name="eventTypeId"/> at <paramref name="start"/>, if a seat there is taken.</summary>
    /// <remarks>A second past the start bounds it: timestamps are stored to the microsecond, and starts lie on whole minutes.</remarks>
    public static async Task<SeatedSlot?> AtAsync(NpgsqlConnection connection, Guid eventTypeId, Instant start, CancellationToken ct) =>
        (await FillingAsync(connection, eventTypeId, start, start + Duration.FromSeconds(1), ct)).FirstOrDefault();

    /// <summary>The bookings seated now at the slot of seat booking <paramref name="seat"/>, by seat number (empty when it is not a seat).</summary>
    public static async Task<IReadOnlyList<Booking>> SeatedAsync(IQuerySession session, Booking seat, CancellationToken ct)
    {
        if (seat.Seat is null) return [];
        var (eventTypeId, slotId) = (seat.EventTypeId, seat.Seat.SlotId);
        var seated = await session.Query<Booking>()
            .Where(b => b.EventTypeId == eventTypeId && b.Status == BookingStatus.Confirmed && b.Seat != null && b.Seat.SlotId == slotId)
            .ToListAsync(ct);
        return [.. seated.OrderBy(b => b.Seat!.Number)];
    }
}
