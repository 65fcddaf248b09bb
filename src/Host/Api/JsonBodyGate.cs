using System.Text;
using System.Text.Json;

namespace OpenCalendly.Host.Api;

/// <summary>
/// Checks request bodies before any endpoint sees them: over the limit → 413, not JSON → 415,
/// malformed JSON, invalid UTF-8 or a root that is not an object → 400. The checked bytes are kept so idempotency can hash exactly
/// what the client sent. Type errors inside well-formed JSON are the endpoints' deserializer's to report.
/// </summary>
public sealed class JsonBodyGate(RequestDelegate next, IConfiguration configuration)
{
    public const string RawBodyKey = "opencalendly.raw-body";
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly int _limit = configuration.GetValue("Http:MaxBodyBytes", 64 * 1024);

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method) && !HttpMethods.IsPut(request.Method) && !HttpMethods.IsPatch(request.Method)
            || !request.Path.StartsWithSegments("/v0"))
        {
            await next(context);
            return;
        }

        if (request.ContentLength > _limit)
        {
            await Refuse(context, 413, "body-too-large", $"The request body is larger than {_limit / 1024} KiB.");
            return;
        }

        var body = await ReadUpTo(request.Body, _limit + 1, context.RequestAborted);
        if (body.Length > _limit)
        {
            await Refuse(context, 413, "body-too-large", $"The request body is larger than {_limit / 1024} KiB.");
            return;
        }

        if (body.Length == 0 && !HttpMethods.IsPost(request.Method))
        {
            await Refuse(context, 400, "body-required", "This route needs a JSON request body.");
            return;
        }

        if (body.Length > 0)
        {
            if (!IsJson(request.ContentType))
            {
                await Refuse(context, 415, "unsupported-media-type", "The request body must be application/json.");
                return;
            }
            if (RootKind(body) is not { } root)
            {
                await Refuse(context, 400, "invalid-json", "The request body is not valid JSON (or not valid UTF-8).");
                return;
            }
            if (root != JsonValueKind.Object)
            {
                await Refuse(context, 400, "invalid-json", "The request body must be a JSON object.");
                return;
            }
        }

        context.Items[RawBodyKey] = body;
        request.Body = new MemoryStream(body, writable: false);
        request.ContentLength = body.Length;
        await next(context);
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null
        && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || contentType.Split(';')[0].Trim().EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    /// <summary>What the body's root is (every route takes an object), or null when it is not well-formed UTF-8 JSON.</summary>
    private static JsonValueKind? RootKind(byte[] body)
    {
        try
        {
            StrictUtf8.GetCharCount(body);
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind;
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException)
        {
            return null;
        }
    }

    private static async Task<byte[]> ReadUpTo(Stream stream, int max, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while (buffer.Length < max && (read = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, max - buffer.Length)), ct)) > 0)
            buffer.Write(chunk, 0, read);
        return buffer.ToArray();
    }

    private static Task Refuse(HttpContext context, int status, string type, string message)
    {
        context.Response.StatusCode = status;
        return Problems.Result(Problems.Create(status, type, message)).ExecuteAsync(context);
    }
}
