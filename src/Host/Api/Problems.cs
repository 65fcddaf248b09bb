using Microsoft.AspNetCore.Mvc;
using OpenCalendly.Scheduling;

namespace OpenCalendly.Host.Api;

/// <summary>
/// Every error body is built here: RFC 9457 problem+json plus the contract's <c>ok: false</c> and a
/// human sentence in <c>error</c>. <c>type</c> is a stable relative URI documented in the README.
/// </summary>
public static partial class Problems
{
    public static ProblemDetails Create(int status, string type, string message, IDictionary<string, string[]>? errors = null)
    {
        var problem = new ProblemDetails { Status = status, Type = $"/problems/{type}", Title = TitleOf(status), Detail = message };
        if (errors is { Count: > 0 }) problem.Extensions["errors"] = errors;
        return Shape(problem);
    }

    public static ProblemDetails Validation(IDictionary<string, string[]> errors) =>
        Create(400, "validation", errors.First().Value.First(), errors);

    public static ProblemDetails Invalid(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemDetails NotFound(string message) => Create(404, "not-found", message);

    /// <summary>An upstream provider (Google, Microsoft) failed; the message says how, never with a token.</summary>
    public static ProblemDetails ProviderFailed(string message) => Create(502, "provider-failed", message);

    public static ProblemDetails SlotTaken() => Create(409, "slot-taken", "Selected slot is no longer available.");

    /// <summary>The one table from a decision's refusal to the contract's problem: its kind gives the status.</summary>
    public static ProblemDetails From(Refusal refusal) => refusal switch
    {
        { Kind: RefusalKind.Invalid, Field: { } field } => Invalid(field, refusal.Message),
        _ => Create(StatusOf(refusal.Kind), refusal.Code, refusal.Message),
    };

    public static int StatusOf(RefusalKind kind) => kind switch
    {
        RefusalKind.Invalid => 400,
        RefusalKind.NotFound => 404,
        RefusalKind.Conflict => 409,
        RefusalKind.Gone => 410,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static IResult Result(ProblemDetails problem) => Results.Problem(problem);

    /// <summary>An answer that tells the client, in <c>Retry-After</c>, when to try again.</summary>
    public static IResult RetryAfter(IResult inner, TimeSpan wait) => new RetryAfterResult(inner, wait);

    private sealed class RetryAfterResult(IResult inner, TimeSpan wait) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return inner.ExecuteAsync(http);
        }
    }

    /// <summary>
    /// Brings any problem, ours or the framework's, to the contract's shape. Runs for every problem the
    /// ASP.NET problem-details service writes, so framework answers (401, 404, 415, bad JSON) match ours.
    /// </summary>
    public static ProblemDetails Shape(ProblemDetails problem)
    {
        problem.Status ??= 500;
        problem.Title ??= TitleOf(problem.Status.Value);
        if (problem.Title == "Invalid JSON format") RewriteJsonError(problem);
        problem.Type = problem.Type is { } t && t.StartsWith("/problems/", StringComparison.Ordinal) ? t : $"/problems/{DefaultType(problem.Status.Value)}";
        problem.Detail ??= DefaultMessage(problem.Status.Value);
        problem.Extensions.Remove("exception");
        problem.Extensions["ok"] = false;
        problem.Extensions["error"] = problem.Detail;
        return problem;
    }

    /// <summary>Wolverine reports deserialization failures with the serializer's own text; say which field instead.</summary>
    private static void RewriteJsonError(ProblemDetails problem)
    {
        var path = JsonPath().Match(problem.Detail ?? "");
        var field = path.Success ? path.Groups[1].Value.TrimStart('$', '.') : "";
        problem.Title = "Bad Request";
        problem.Type = field.Length > 0 ? "/problems/wrong-type" : "/problems/invalid-json";
        problem.Detail = field.Length > 0
            ? $"Field '{field}' has the wrong type or an invalid value."
            : "The request body is not valid JSON of the expected shape.";
        problem.Extensions.Remove("lineNumber");
        problem.Extensions.Remove("bytePositionInLine");
        if (field.Length > 0) problem.Extensions["errors"] = new Dictionary<string, string[]> { [field] = [problem.Detail] };
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Path: (\$[^ |]*)")]
    private static partial System.Text.RegularExpressions.Regex JsonPath();

    private static string TitleOf(int status) => status switch
    {
        400 => "Bad Request", 401 => "Unauthorized", 403 => "Forbidden", 404 => "Not Found", 405 => "Method Not Allowed",
        406 => "Not Acceptable", 409 => "Conflict", 410 => "Gone", 413 => "Content Too Large", 415 => "Unsupported Media Type",
        429 => "Too Many Requests", 502 => "Bad Gateway", 503 => "Service Unavailable", _ => "Error",
    };

    private static string DefaultType(int status) => status switch
    {
        400 => "bad-request", 401 => "unauthorized", 404 => "not-found", 405 => "method-not-allowed", 406 => "not-acceptable",
        409 => "conflict", 413 => "body-too-large", 415 => "unsupported-media-type", 429 => "rate-limited", _ => "server-error",
    };

    private static string DefaultMessage(int status) => status switch
    {
        400 => "The request is not valid.",
        401 => "Sign in first: the session is missing, invalid or expired.",
        404 => "Not found.",
        405 => "This route does not accept that method.",
        406 => "This route answers application/json only.",
        413 => "The request body is larger than the limit.",
        415 => "The request body must be application/json.",
        429 => "Too many requests; retry later.",
        _ => "An unexpected error occurred.",
    };
}
