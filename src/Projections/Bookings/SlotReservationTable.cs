using System.Data.Common;
using Weasel.Core;
using Weasel.Postgresql;

namespace OpenCalendly.Projections.Bookings;

/// <summary>
/// The reservation table, declared whole because Weasel's table model has no exclusion constraints
/// (declaring the table there and adding the constraint by hand makes every start try to drop it).
/// The constraint is the last line of defence against double booking: two active reservations of one
/// person can never overlap, whatever the application code does. Changes need explicit migration SQL here.
/// </summary>
public sealed class SlotReservationTable(string schema) : ISchemaObject
{
    public const string TableName = "slot_reservations";
    public const string NoOverlapConstraint = "slot_reservations_no_overlap";

    public DbObjectName Identifier { get; } = new PostgresqlObjectName(schema, TableName, SchemaUtils.IdentifierUsage.General);

    public string QualifiedName => $"{schema}.{TableName}";

    public void WriteCreateStatement(Migrator migrator, TextWriter writer) => writer.WriteLine($"""
        CREATE EXTENSION IF NOT EXISTS btree_gist;
        CREATE TABLE IF NOT EXISTS {QualifiedName} (
            booking_id uuid NOT NULL,
            user_id uuid NOT NULL,
            during tstzrange NOT NULL,
            active boolean NOT NULL DEFAULT true,
            PRIMARY KEY (booking_id, user_id),
            CONSTRAINT {NoOverlapConstraint} EXCLUDE USING gist (user_id WITH =, during WITH &&) WHERE (active)
        );
        """);

    public void WriteDropStatement(Migrator migrator, TextWriter writer) =>
        writer.WriteLine($"DROP TABLE IF EXISTS {QualifiedName} CASCADE;");

    public void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder) =>
        builder.Append($"select count(*) from pg_tables where schemaname = '{schema}' and tablename = '{TableName}';");

    public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct)
    {
        var exists = await reader.ReadAsync(ct) && reader.GetInt64(0) > 0;
        return new SchemaObjectDelta(this, exists ? SchemaPatchDifference.None : SchemaPatchDifference.Create);
    }

    public IEnumerable<DbObjectName> AllNames() => [Identifier];
}
