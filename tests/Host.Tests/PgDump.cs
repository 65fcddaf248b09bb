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
}
