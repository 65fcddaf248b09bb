using System.Diagnostics;
using System.Net.Sockets;

namespace OpenCalendly.Host.Tests;

/// <summary>
/// The host as its own operating-system process (the built OpenCalendly.Host.dll under `dotnet`), so a test
/// can kill it outright or stop it with SIGTERM like a real deployment would.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    public string BaseUrl { get; }
    public HttpClient Http { get; }
    public int Id => _process.Id;
    public bool Exited => _process.HasExited;
    public string Output => string.Join('\n', _output.TakeLast(60));

    private HostProcess(Process process, string baseUrl)
    {
        (_process, BaseUrl) = (process, baseUrl);
        Http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromSeconds(60) };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>Runs the built host as a command line to its end: exit code, stdout and stderr.</summary>
    public static async Task<(int ExitCode, string Out, string Error)> RunToEndAsync(string[] args, IDictionary<string, string?> settings)
    {
        var dll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [dll, .. args])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(key);
        foreach (var (key, value) in settings)
            if (value is null) start.Environment.Remove(key.Replace(":", "__")); else start.Environment[key.Replace(":", "__")] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await output, await error);
    }

    public static async Task<HostProcess> StartAsync(IDictionary<string, string> settings)
    {
        var port = LocalServer.FreePort();
        var baseUrl = $"http://127.0.0.1:{port}";
        var dll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = baseUrl;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";
        start.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        foreach (var (key, value) in settings) start.Environment[key.Replace(":", "__")] = value;   // may replace the environment above
        var host = new HostProcess(Process.Start(start)!, baseUrl);
        await host.WaitUntilReady();
        return host;
    }

    private async Task WaitUntilReady()
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The host exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await Http.GetAsync("/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(250);
        }
        throw new TimeoutException($"The host at {BaseUrl} never became ready:\n{Output}");
    }

    /// <summary>SIGKILL: no shutdown hook runs, nothing is flushed.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>SIGTERM, as a service manager sends it: the host stops taking requests and drains the ones in flight.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString()])!.WaitForExit();

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }


    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited) Kill();
        _process.Dispose();
        await Task.CompletedTask;
    }
}
