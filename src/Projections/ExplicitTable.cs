using System.Data.Common;
using Weasel.Core;
using Weasel.Postgresql;

namespace OpenCalendly.Projections;

/// <summary>
/// A table declared whole in SQL, for what Weasel's table model cannot express (exclusion constraints,
/// gist indexes over ranges). Created when missing and otherwise left alone, so changes need explicit
/// migration SQL in the subclass.
/// </summary>
public abstract class ExplicitTable(string schema, string name) : ISchemaObject
{
    public DbObjectName Identifier { get; } = new PostgresqlObjectName(schema, name, SchemaUtils.IdentifierUsage.General);

    public string QualifiedName => $"{schema}.{name}";

    /// <summary>The <c>CREATE TABLE IF NOT EXISTS</c> (and its indexes), idempotent.</summary>
    protected abstract string CreateSql { get; }

    public void WriteCreateStatement(Migrator migrator, TextWriter writer) => writer.WriteLine(CreateSql);

    public void WriteDropStatement(Migrator migrator, TextWriter writer) =>
        writer.WriteLine($"DROP TABLE IF EXISTS {QualifiedName} CASCADE;");

    public void ConfigureQueryCommand(Weasel.Core.DbCommandBuilder builder) =>
        builder.Append($"select count(*) from pg_tables where schemaname = '{schema}' and tablename = '{name}';");

    public async Task<ISchemaObjectDelta> CreateDeltaAsync(DbDataReader reader, CancellationToken ct)
    {
        var exists = await reader.ReadAsync(ct) && reader.GetInt64(0) > 0;
        return new SchemaObjectDelta(this, exists ? SchemaPatchDifference.None : SchemaPatchDifference.Create);
    }

    public IEnumerable<DbObjectName> AllNames() => [Identifier];
}
