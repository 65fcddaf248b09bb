namespace OpenCalendly.Host.Api;

/// <summary>
/// A setting is missing or wrong. The host and the command line stop with this one sentence (exit code 2) instead of a
/// stack trace; under a test host it stays an ordinary exception the test can read.
/// </summary>
public sealed class SettingsProblem(string message, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Turns an unhandled <see cref="SettingsProblem"/> into one line on stderr and exit code 2.</summary>
    public static void StopWithOneLine() =>
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is not SettingsProblem problem) return;
            Console.Error.WriteLine($"OpenCalendly cannot start: {problem.Message}");
            Environment.Exit(2);
        };

    /// <summary>
    /// Whether the command line only asks for help (<c>help</c>, <c>--help</c>, <c>-h</c>, <c>?</c>): then nothing is
    /// connected to, and settings that only a running host needs may be absent.
    /// </summary>
    public static bool HelpOnly(string[] args) =>
        args.Any(a => a is "help" or "--help" or "-h" or "-?" or "?");
}
