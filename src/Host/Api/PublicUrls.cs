namespace OpenCalendly.Host.Api;

public static class PublicUrls
{
    /// <summary>Links in emails and responses use <c>App:PublicBaseUrl</c> when set, else the request's own origin.</summary>
    public static string Base(IConfiguration config, HttpRequest request) =>
        (config["App:PublicBaseUrl"] is { Length: > 0 } configured ? configured : $"{request.Scheme}://{request.Host}").TrimEnd('/');
}
