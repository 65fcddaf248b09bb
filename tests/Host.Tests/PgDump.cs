using System.Diagnostics;
using Npgsql;

namespace OpenCalendly.Host.Tests;

/// <summary>The whole database as <c>pg_dump</c> writes it: what an attacker with a backup would read.</summary>
public static class PgDump
{
    public static async Task<string> TextAsync(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var pgDump = Directory.GetFiles("/usr/lib/postgresql", "pg_dump", SearchOption.AllDirectories).Order().Last();
        var start = new ProcessStartInfo(pgDump, ["-h", builder.Host!, "-p", builder.Port.ToString(), "-U", builder.Username!, "-d", builder.Database!])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var text = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, await errors);
        return await text;
    }

    /// <summary>
    /// The bodies of Wolverine's stored messages as text: a dump writes them as hex (<c>bytea</c>), where a search for an
    /// email finds nothing whatever they hold.
    /// </summary>
    public static async Task<string> MessageBodiesAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        var text = new System.Text.StringBuilder();
        foreach (var table in new[] { "wolverine_incoming_envelopes", "wolverine_outgoing_envelopes", "wolverine_dead_letters" })
        {
            await using var command = new NpgsqlCommand($"select encode(body, 'escape') from opencalendly.{table} where body is not null", connection);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync()) text.AppendLine(reader.GetString(0));
        }
        return text.ToString();
    }
}
