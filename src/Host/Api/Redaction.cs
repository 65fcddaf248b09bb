using System.Collections;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace OpenCalendly.Host.Api;

/// <summary>
/// Action links carry their token in the URL path (<c>/v0/bookings/actions/{token}/cancel</c>, the contract's
/// routes), so paths are redacted wherever the framework would record them: the request's logging scope
/// and the <c>url.path</c> of traces.
/// </summary>
public static partial class Redaction
{
    public static string Path(string path) => ActionToken().Replace(path, "$1{token}");

    public static void Trace(Activity activity, HttpRequest request) =>
        activity.SetTag("url.path", Path(request.PathBase + request.Path));

    [GeneratedRegex("(/actions/)[^/?#]+")]
    private static partial Regex ActionToken();
}

/// <summary>The logging scope provider of every logger: ASP.NET's request scope leaves with its path redacted.</summary>
public sealed class RedactingScopeProvider : IExternalScopeProvider
{
    private readonly LoggerExternalScopeProvider _inner = new();

    public IDisposable Push(object? state) => _inner.Push(state);

    public void ForEachScope<TState>(Action<object?, TState> callback, TState state) =>
        _inner.ForEachScope((scope, inner) => callback(Redacted(scope), inner), state);

    private static object? Redacted(object? scope) =>
        scope is IReadOnlyList<KeyValuePair<string, object>> pairs && pairs.Any(p => p.Key == "RequestPath") ? new RedactedScope(pairs) : scope;

    private sealed class RedactedScope(IReadOnlyList<KeyValuePair<string, object>> pairs) : IReadOnlyList<KeyValuePair<string, object>>
    {
        private readonly KeyValuePair<string, object>[] _pairs = [.. pairs.Select(p =>
            p.Key == "RequestPath" && p.Value is string path ? new KeyValuePair<string, object>(p.Key, Redaction.Path(path)) : p)];

        public KeyValuePair<string, object> this[int index] => _pairs[index];

        public int Count => _pairs.Length;

        public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object>>)_pairs).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => string.Join(", ", _pairs.Select(p => $"{p.Key}:{p.Value}"));
    }
}
