namespace OpenCalendly.Projections.Bookings;

/// <summary>
/// The reservation table, declared whole because Weasel's table model has no exclusion constraints
/// (declaring the table there and adding the constraint by hand makes every start try to drop it).
/// The constraint is the last line of defence against double booking: two active reservations of one
/// person can never overlap, whatever the application code does.
/// </summary>
public sealed class SlotReservationTable(string schema) : ExplicitTable(schema, TableName)
{
    public const string TableName = "slot_reservations";
    public const string NoOverlapConstraint = "slot_reservations_no_overlap";

    protected override string CreateSql => $"""
        CREATE EXTENSION IF NOT EXISTS btree_gist;
        CREATE TABLE IF NOT EXISTS {QualifiedName} (
            booking_id uuid NOT NULL,
            user_id uuid NOT NULL,
            during tstzrange NOT NULL,
            active boolean NOT NULL DEFAULT true,
            PRIMARY KEY (booking_id, user_id),
            CONSTRAINT {NoOverlapConstraint} EXCLUDE USING gist (user_id WITH =, during WITH &&) WHERE (active)
        );
        """;
}
