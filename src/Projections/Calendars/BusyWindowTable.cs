namespace OpenCalendly.Projections.Calendars;

/// <summary>
/// Busy time synced from external calendars, a row per window and connection. Unlike reservations these
/// may overlap (several calendars, overlapping meetings), so there is an index, not a constraint.
/// </summary>
public sealed class BusyWindowTable(string schema) : ExplicitTable(schema, TableName)
{
    public const string TableName = "busy_windows";

    protected override string CreateSql => $"""
        CREATE EXTENSION IF NOT EXISTS btree_gist;
        CREATE TABLE IF NOT EXISTS {QualifiedName} (
            connection_id uuid NOT NULL,
            user_id uuid NOT NULL,
            during tstzrange NOT NULL
        );
        CREATE INDEX IF NOT EXISTS busy_windows_by_user ON {QualifiedName} USING gist (user_id, during);
        CREATE INDEX IF NOT EXISTS busy_windows_by_connection ON {QualifiedName} (connection_id);
        """;
}
