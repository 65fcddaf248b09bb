using System.Diagnostics;
using Npgsql;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// Debian's PgBouncer in transaction pooling mode on a free port of 127.0.0.1, in front of the suite's PostgreSQL
/// (scripts/test installs it). It will not run as root, so as root it runs as <c>postgres</c>.
/// </summary>
public sealed class PgBouncer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;

    private PgBouncer(Process process, string folder, int port) => (_process, _folder, Port) = (process, folder, port);

    public int Port { get; }

    /// <summary><paramref name="direct"/>'s database through the pooler.</summary>
    public string ConnectionString(string direct) => new NpgsqlConnectionStringBuilder(direct) { Host = "127.0.0.1", Port = Port }.ConnectionString;

    public static async Task<PgBouncer> StartAsync(string direct, int poolSize = 40)
    {
        var target = new NpgsqlConnectionStringBuilder(direct);
        // Through PostgreSQL's Unix socket, so the server tells the pooler's connections (no client address) from direct ones.
        string socket;
        await using (var probe = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(direct) { Pooling = false }.ConnectionString))
        {
            await probe.OpenAsync();
            await using var show = new NpgsqlCommand("show unix_socket_directories", probe);
            socket = ((string)(await show.ExecuteScalarAsync())!).Split(',')[0].Trim();
        }
        var folder = Path.Combine(Path.GetTempPath(), $"opencalendly-pgbouncer-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(folder);
        var port = LocalServer.FreePort();
        await File.WriteAllTextAsync(Path.Combine(folder, "users.txt"), $"\"{target.Username}\" \"\"\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "pgbouncer.ini"), $"""
            [databases]
            * = host={socket} port={target.Port}
            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = {port}
            unix_socket_dir =
            auth_type = trust
            auth_file = {folder}/users.txt
            pool_mode = transaction
            default_pool_size = {poolSize}
            max_client_conn = 1000
            ignore_startup_parameters = extra_float_digits
            logfile = {folder}/pgbouncer.log
            """);
        PgCluster.OwnedByPostgres(folder);
        var binary = new[] { "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("PgBouncer is missing: run the suite with scripts/test, which installs it (apt-get install -y pgbouncer).");
        var process = Process.Start(PgCluster.AsPostgres(binary, Path.Combine(folder, "pgbouncer.ini")))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var bouncer = new PgBouncer(process, folder, port);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(bouncer.ConnectionString(direct)) { Pooling = false }.ConnectionString);
                await connection.OpenAsync();
                return bouncer;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(100);
            }
            catch (Exception) when (process.HasExited)
            {
                throw new InvalidOperationException($"PgBouncer exited: {File.ReadAllText(Path.Combine(folder, "pgbouncer.log"))}");
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return ValueTask.CompletedTask;
    }
}
