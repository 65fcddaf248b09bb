using System.Data.Common;
using OpenCalendly.Projections.Calendars;
using Weasel.Core;
using Weasel.Postgresql;

namespace OpenCalendly.Projections.Bookings;

/// <summary>
/// Triggers on the reservation and busy-window tables that <c>NOTIFY</c> the person whose taken time changed
/// (payload: the user id; <c>*</c> after a truncate). Inside the writing transaction, so every writer — any
/// node, a projection rebuild, an operator's SQL — tells every listening node exactly when its change commits.
/// </summary>
public sealed class TakenTimeNotifications(string schema, SlotReservationTable reservations, BusyWindowTable busyWindows) : ISchemaObject
{
    public const string Channel = "opencalendly_taken_time";
    public const string Everyone = "*";

    private readonly string _function = $"{schema}.notify_taken_time";
    private readonly (string Trigger, string Table)[] _triggers =
    [
        ("slot_reservations_taken_time", reservations.QualifiedName),
        ("busy_windows_taken_time", busyWindows.QualifiedName),
    ];

    public DbObjectName Identifier { get; } = new PostgresqlObjectName(schema, "notify_taken_time", SchemaUtils.IdentifierUsage.General);

    public void WriteCreateStatement(Migrator migrator, TextWriter writer)
    {
        writer.WriteLine($$"""
            CREATE OR REPLACE FUNCTION {{_function}}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'TRUNCATE' THEN
                    PERFORM pg_notify('{{Channel}}', '{{Everyone}}');
                    RETURN NULL;
                END IF;
                IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('{{Channel}}', OLD.user_id::text); END IF;
                IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('{{Channel}}', NEW.user_id::text); END IF;
                RETURN NULL;
            END $$;
            """);
        foreach (var (trigger, table) in _triggers)
        {
            writer.WriteLine($"CREATE OR REPLACE TRIGGER {trigger} AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {_function}();");
            writer.WriteLine($"CREATE OR REPLACE TRIGGER {trigger}_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {_function}();");
        }
    }

    public void WriteDropStatement(Migrator migrator, TextWriter writer) =>
        writer.WriteLine($"DROP FUNCTION IF EXISTS {_function}() CASCADE;");

    public void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder) =>
        builder.Append($"select count(*) from pg_trigger where tgname in ({string.Join(", ", _triggers.SelectMany(t => new[] { $"'{t.Trigger}'", $"'{t.Trigger}_truncate'" }))});");

    public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct)
    {
        var present = await reader.ReadAsync(ct) ? reader.GetInt64(0) : 0;
        return new SchemaObjectDelta(this, present == _triggers.Length * 2 ? SchemaPatchDifference.None : SchemaPatchDifference.Create);
    }

    public IEnumerable<DbObjectName> AllNames() => [Identifier];
}
