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
/// The pool keeps Npgsql's size (100) unless the connection string sets one. A booking can hold two connections at
/// once (its transaction, and the idempotency or taken-time statement it runs beside it), so a pool smaller than
/// the requests in flight can leave each waiting for another's second connection. With 32 the full test suite once
/// saw a team booking page not confirm within 15 seconds (it passes alone); not proven to be the pool, not risked.
/// </remarks>
public static class ConnectionDefaults
{
    /// <summary>
    /// Statements run again and again (every booking's, every page's) are prepared on each connection after their
    /// fifth use (Npgsql's threshold): PostgreSQL then skips parsing and planning them.
    /// </summary>
    public const int MaxAutoPrepare = 100;

    public static string Apply(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "").ToLowerInvariant()).ToHashSet();
        var database = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("maxautoprepare")) database.MaxAutoPrepare = MaxAutoPrepare;
        return database.ConnectionString;
    }
}
