using System.Diagnostics;
using Npgsql;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// A PostgreSQL cluster of its own on a free port of 127.0.0.1, made with Debian's own tools (initdb, pg_basebackup,
/// pg_ctl) in a temporary folder: a primary, or a streaming standby of one. Run as the <c>postgres</c> user when the
/// tests run as root (PostgreSQL refuses root).
/// </summary>
public sealed class PgCluster : IAsyncDisposable
{
    private PgCluster(string folder, int port) => (Folder, Port) = (folder, port);

    public string Folder { get; }
    public int Port { get; }
    public string Log => Path.Combine(Folder, "server.log");

    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=false;Timeout=5";

    private static string Bin => Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
        .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => int.Parse(Path.GetFileName(Path.GetDirectoryName(d))!)).LastOrDefault()
        ?? throw new InvalidOperationException("PostgreSQL is missing: scripts/test installs it.");

    private static bool Root => Environment.UserName == "root";

    /// <summary>Runs <paramref name="program"/> as <c>postgres</c> when the tests run as root (PostgreSQL's tools and PgBouncer refuse root).</summary>
    public static ProcessStartInfo AsPostgres(string program, params string[] args)
    {
        var start = Root ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", program, .. args]) : new ProcessStartInfo(program, args);
        (start.RedirectStandardOutput, start.RedirectStandardError, start.WorkingDirectory) = (true, true, "/");
        return start;
    }

    /// <summary>Gives <paramref name="folder"/> (and what is in it) to <c>postgres</c> when the tests run as root.</summary>
    public static void OwnedByPostgres(string folder)
    {
        if (Root) Process.Start("chown", ["-R", "postgres:postgres", folder])!.WaitForExit();
    }

    /// <summary>A primary that keeps commits until <paramref name="synchronousStandby"/> has them on disk (when given).</summary>
    public static async Task<PgCluster> PrimaryAsync(string? synchronousStandby = null)
    {
        var cluster = new PgCluster(NewFolder("primary"), LocalServer.FreePort());
        await RunAsync(Path.Combine(Bin, "initdb"), "-D", cluster.Folder, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8");
        await cluster.StartAsync(
            "-c wal_level=replica -c max_wal_senders=5 -c wal_keep_size=256MB -c max_connections=200"
            + (synchronousStandby is null ? "" : $" -c synchronous_standby_names={synchronousStandby} -c synchronous_commit=on"));
        return cluster;
    }

    /// <summary>A streaming standby of <paramref name="primary"/> (<c>pg_basebackup -R</c>), known to it as <paramref name="name"/>.</summary>
    public static async Task<PgCluster> StandbyOfAsync(PgCluster primary, string name)
    {
        var cluster = new PgCluster(NewFolder("standby"), LocalServer.FreePort());
        Directory.Delete(cluster.Folder);
        await RunAsync(Path.Combine(Bin, "pg_basebackup"), "-d", $"host=127.0.0.1 port={primary.Port} user=postgres application_name={name}",
            "-D", cluster.Folder, "-R", "-X", "stream", "--checkpoint=fast");
        await cluster.StartAsync("-c max_connections=200");
        return cluster;
    }

    private async Task StartAsync(string options) =>
        await RunAsync(Path.Combine(Bin, "pg_ctl"), "-D", Folder, "-l", Log, "-w", "-t", "60",
            "-o", $"-p {Port} -k {Folder} -c listen_addresses=127.0.0.1 {options}", "start");

    /// <summary>SIGKILL to the postmaster, as a lost machine would end it.</summary>
    public void KillPostmaster()
    {
        var pid = int.Parse(File.ReadLines(Path.Combine(Folder, "postmaster.pid")).First());
        Process.GetProcessById(pid).Kill();
    }

    public Task PromoteAsync() => RunAsync(Path.Combine(Bin, "pg_ctl"), "-D", Folder, "-w", "-t", "60", "promote");

    public async Task<T> ScalarAsync<T>(string sql, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql, string database = "postgres")
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunAsync(Path.Combine(Bin, "pg_ctl"), "-D", Folder, "-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // already down (killed)
        }
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string NewFolder(string role)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"opencalendly-pg-{role}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(folder);
        OwnedByPostgres(folder);
        return folder;
    }

    private static async Task RunAsync(string program, params string[] args)
    {
        using var process = Process.Start(AsPostgres(program, args))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(program)} {string.Join(' ', args)} failed ({process.ExitCode}): {await output}{await error}");
    }
}
