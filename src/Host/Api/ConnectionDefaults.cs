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

    public static string Apply(string connectionString)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "").ToLowerInvariant()).ToHashSet();
        var database = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains("maxautoprepare")) database.MaxAutoPrepare = MaxAutoPrepare;
        if (!given.Overlaps(["maxpoolsize", "maximumpoolsize"])) database.MaxPoolSize = MaxPoolSize;
        if (database.Host?.Contains(',') == true && !given.Contains("hostrecheckseconds")) database.HostRecheckSeconds = HostRecheckSeconds;
        return database.ConnectionString;
    }
}
