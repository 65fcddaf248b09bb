using System.Data.Common;
using Npgsql;

namespace OpenCalendly.Host.Api;

/// <summary>
/// The Npgsql settings the host chooses unless the connection string names them, under any of Npgsql's spellings
/// (<c>Max Auto Prepare</c>, <c>MaxAutoPrepare</c>…). Whether a key was given is read from the string itself:
/// <see cref="NpgsqlConnectionStringBuilder.ContainsKey"/> answers whether Npgsql knows a keyword, so it is true
/// for every setting, given or not (an earlier version asked it, and its defaults never applied).
/// </summary>
/// <remarks>
/// A request holds at most one connection at a time: a booking's refusal inside its transaction commits with that
/// transaction, and what it asks while waiting for a lock goes through the same connection.
/// </remarks>
public static class ConnectionDefaults
{
    /// <summary>
    /// Statements run again and again (every booking's, every page's) are prepared on each connection after their
    /// fifth use (Npgsql's threshold): PostgreSQL then skips parsing and planning them.
    /// </summary>
    public const int MaxAutoPrepare = 100;

    /// <summary>
    /// Connections per host. More requests than this at once wait for a connection another returns (in
    /// microseconds), rather than for PostgreSQL to start a backend for each of them, which it does one after
    /// another (~25 ms each here: a crowd of 100 racing for one slot then answered in over a second). A small
    /// database server is saturated long before 32 busy backends; a larger one may be given more in the string.
    /// </summary>
    public const int MaxPoolSize = 32;

    /// <summary>
    /// With several hosts (<c>Host=primary:5432,standby:5432;Target Session Attributes=primary</c>), how long Npgsql trusts
    /// what it learned of a host (down, or a standby) before it asks again. Its default, 10 s, kept every request failing
    /// for 10 s after a standby was promoted; asking again each second costs a check only when a new connection opens.
    /// </summary>
    public const int HostRecheckSeconds = 1;

    /// <param name="pooled">
    /// The string reaches PostgreSQL through a transaction-mode pooler (PgBouncer): a transaction may get another server
    /// connection each time, so nothing is prepared on one (PgBouncer before 1.21 keeps no prepared statements) and the
    /// connection is not reset when it goes back to Npgsql's pool (the pooler owns the server session).
    /// </param>
    public static string Apply(string connectionString, bool pooled = false)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "").ToLowerInvariant()).ToHashSet();
        var database = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("maxautoprepare")) database.MaxAutoPrepare = pooled ? 0 : MaxAutoPrepare;
        if (pooled && !given.Contains("noresetonclose")) database.NoResetOnClose = true;
        if (!given.Overlaps(["maxpoolsize", "maximumpoolsize"])) database.MaxPoolSize = MaxPoolSize;
        if (database.Host?.Contains(',') == true && !given.Contains("hostrecheckseconds")) database.HostRecheckSeconds = HostRecheckSeconds;
        return database.ConnectionString;
    }
}

/// <summary>PostgreSQL itself, for what needs a session of its own (LISTEN); the main data source when no pooler stands between.</summary>
public sealed record DirectDatabase(Npgsql.NpgsqlDataSource DataSource);

/// <summary>The connection string through the pooler, when one stands between the hosts and PostgreSQL.</summary>
public sealed record PooledConnection(string ConnectionString);

/// <summary>
/// Marten sessions on connections through the pooler (<c>ConnectionStrings:Postgres</c>), while the store's own data source
/// is PostgreSQL itself (<c>ConnectionStrings:PostgresDirect</c>), for Wolverine's session locks.
/// </summary>
public sealed class PooledSessions(Marten.IDocumentStore store, PooledConnection pooled) : Marten.ISessionFactory
{
    public Marten.IQuerySession QuerySession() => store.QuerySession(Marten.Services.SessionOptions.ForConnectionString(pooled.ConnectionString));

    public Marten.IDocumentSession OpenSession() => store.LightweightSession(Marten.Services.SessionOptions.ForConnectionString(pooled.ConnectionString));
}
